//! Building the adapters of the configured accounts: which adapter each platform gets, which
//! credentials it needs, and where it sends (the partner, or a sandbox in a rehearsal). It
//! lives with the adapters so that whoever needs them (the dispatcher, a future tool) asks the
//! platforms for them instead of knowing each adapter's constructor.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use super::oauth1::OAuth1Keys;
use super::oauth2::OAuth2Client;
use super::x_tokens::{RehearsalVault, TokenVault, XTokens};
use super::{
    Adapter, ChannelRef, FacebookAdapter, MissingCredential, Platform, Secret, SmsAccount,
    SmsAdapter, StoredCredentials, TelegramAdapter, ViberAdapter, WebhookAdapter, WhatsAppAdapter,
    WhatsAppSender, XAdapter, XAuth, partner_client, resolve_credentials,
};
use crate::clock::Clock;
use crate::config::Account;

/// A rehearsal: every account's base URL is replaced by the sandbox's, and every credential by
/// `credential` (real secrets never go to a sandbox).
#[derive(Debug, Clone, Copy)]
pub struct Rehearsal<'a> {
    pub sandbox_url: &'a str,
    pub credential: &'a Secret,
}

/// What the configured accounts give herald to work with, each by its channel.
#[derive(Debug, Default)]
pub struct AccountAdapters {
    /// The adapter of every account herald publishes to.
    pub publishers: BTreeMap<ChannelRef, Adapter>,
    /// Accounts whose posts' metrics can be read back, by channel name: Facebook Pages and X
    /// accounts.
    pub metrics_readers: HashMap<String, MetricsReader>,
    /// Ad accounts that answer audience estimates, by channel name: Meta ads accounts, and
    /// Facebook Pages that name one.
    pub ad_accounts: HashMap<String, AdAccount>,
    /// Accounts herald would publish to but cannot yet, each with the first credential it
    /// lacks: their jobs wait until the credential is set.
    pub waiting: BTreeMap<ChannelRef, MissingCredential>,
}

/// An adapter that reads published posts' metrics back.
#[derive(Debug, Clone)]
pub enum MetricsReader {
    /// A Facebook Page, read through the Graph API version its account is configured with.
    Facebook {
        adapter: FacebookAdapter,
        api_version: String,
    },
    X(XAdapter),
}

/// A Meta ad account, asked for the audience of a campaign's segments.
#[derive(Debug, Clone)]
pub struct AdAccount {
    pub adapter: FacebookAdapter,
    /// The ad account (with or without `act_`), a credential: never logged.
    pub ad_account: Secret,
    /// The Graph API version the adapter uses (`v21.0`).
    pub api_version: String,
}

/// Why the adapters could not be built; the worker cannot start without them. (A credential
/// that is not set yet is no such reason: its account waits, see [`AccountAdapters::waiting`].)
#[derive(Debug)]
pub enum AdapterSetupError {
    HttpClient(reqwest::Error),
    /// The account's credentials lack one its platform needs.
    MissingCredential {
        channel: String,
        key: String,
    },
}

impl fmt::Display for AdapterSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdapterSetupError::HttpClient(error) => {
                write!(f, "cannot build the HTTP client: {error}")
            }
            AdapterSetupError::MissingCredential { channel, key } => {
                write!(f, "account `{channel}` has no {key}")
            }
        }
    }
}

impl std::error::Error for AdapterSetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdapterSetupError::HttpClient(error) => Some(error),
            _ => None,
        }
    }
}

/// Builds an adapter for every account whose platform herald can publish to, and the readers
/// of metrics and audience estimates the accounts allow. An account whose credentials are not
/// all set yet (outside a rehearsal) gets no adapter and is listed as waiting; a Meta ads
/// account without credentials only gives no estimates. X accounts using OAuth 2.0 keep their
/// tokens in `tokens` (a rehearsal keeps them in memory); without it they wait.
pub fn build_adapters(
    accounts: &BTreeMap<ChannelRef, Account>,
    rehearsal: Option<Rehearsal<'_>>,
    stored: &StoredCredentials,
    clock: &Arc<dyn Clock>,
    tokens: Option<&Arc<dyn TokenVault>>,
) -> Result<AccountAdapters, AdapterSetupError> {
    let tokens = match rehearsal {
        Some(rehearsal) => {
            Some(Arc::new(RehearsalVault::new(rehearsal.credential.clone())) as Arc<dyn TokenVault>)
        }
        None => tokens.cloned(),
    };
    let setup = Setup {
        client: partner_client().map_err(AdapterSetupError::HttpClient)?,
        rehearsal,
        stored,
        clock,
        tokens,
    };
    let mut built = AccountAdapters::default();
    for (channel, account) in accounts {
        // Paid ads are not published by herald (their creative and budget are set in Meta's
        // tools); their jobs are cancelled with a clear reason. The account still answers
        // audience estimates; without its credentials, there are none.
        if channel.platform == Platform::MetaAds {
            if let Some(ad_account) = setup.ads_account(account) {
                built.ad_accounts.insert(channel.to_string(), ad_account);
            }
            continue;
        }
        let credentials = match setup.credentials(account) {
            Ok(credentials) => credentials,
            Err(missing) => {
                built.waiting.insert(channel.clone(), missing);
                continue;
            }
        };
        if account.uses_refresh_token() && setup.tokens.is_none() {
            // Without a place to keep the rotated refresh token, refreshing would lose it.
            built.waiting.insert(
                channel.clone(),
                MissingCredential {
                    channel: channel.clone(),
                    variable: String::new(),
                    key: "refresh_token".into(),
                },
            );
            continue;
        }
        if let Some(adapter) = setup.publisher(account, credentials, &mut built)? {
            built.publishers.insert(channel.clone(), adapter);
        }
    }
    Ok(built)
}

/// What every adapter is built with.
struct Setup<'a> {
    client: reqwest::Client,
    rehearsal: Option<Rehearsal<'a>>,
    stored: &'a StoredCredentials,
    clock: &'a Arc<dyn Clock>,
    tokens: Option<Arc<dyn TokenVault>>,
}

impl Setup<'_> {
    /// Where the account's calls go: its base URL, or the sandbox's in a rehearsal.
    fn base_url(&self, account: &Account) -> String {
        match self.rehearsal {
            Some(rehearsal) => rehearsal.sandbox_url.to_string(),
            None => account.base_url.clone(),
        }
    }

    fn credentials(&self, account: &Account) -> Result<Credentials, MissingCredential> {
        let values =
            resolve_credentials(account, self.rehearsal.map(|r| r.credential), self.stored)?;
        Ok(Credentials {
            channel: account.channel.to_string(),
            values,
        })
    }

    /// A Meta ads account's Graph adapter for audience estimates, if its credentials are there.
    fn ads_account(&self, account: &Account) -> Option<AdAccount> {
        let mut credentials = match self.credentials(account) {
            Ok(credentials) => credentials,
            Err(error) => {
                tracing::warn!(%error, "no audience estimates from this ads account");
                return None;
            }
        };
        let token = credentials.optional("token")?;
        let ad_account = credentials.optional("ad_account_id")?;
        Some(AdAccount {
            adapter: FacebookAdapter::new(
                self.client.clone(),
                &self.base_url(account),
                &account.api_version,
                token,
                String::new(),
                account.timeout,
            ),
            ad_account,
            api_version: account.api_version.clone(),
        })
    }

    /// The adapter herald publishes to `account` with (none for Meta ads accounts, which
    /// publish nothing); Facebook Pages and X accounts also become metrics readers (and a Page
    /// that names an ad account, an estimator).
    fn publisher(
        &self,
        account: &Account,
        mut credentials: Credentials,
        built: &mut AccountAdapters,
    ) -> Result<Option<Adapter>, AdapterSetupError> {
        let base_url = self.base_url(account);
        let client = self.client.clone();
        let channel = &account.channel;
        Ok(Some(match channel.platform {
            Platform::Telegram => Adapter::Telegram(TelegramAdapter::new(
                client,
                &base_url,
                credentials.required("token")?,
                account.chats.clone(),
                account.timeout,
            )),
            Platform::Webhook => Adapter::Webhook(WebhookAdapter::new(
                client,
                &self.webhook_url(account),
                credentials.required("secret")?,
                account.timeout,
                Arc::clone(self.clock),
            )),
            Platform::WhatsApp => self.whatsapp(account, &mut credentials)?,
            Platform::Viber => Adapter::Viber(ViberAdapter::new(
                client,
                &base_url,
                credentials.required("token")?,
                account
                    .sender_name
                    .clone()
                    .unwrap_or_else(|| channel.account.clone()),
                account.timeout,
            )),
            Platform::Facebook => self.facebook_page(account, &mut credentials, built)?,
            Platform::Sms => self.sms(account, &mut credentials)?,
            Platform::X => {
                let auth = self.x_auth(account, &base_url, &mut credentials)?;
                let adapter = XAdapter::new(client, &base_url, auth, account.timeout);
                built
                    .metrics_readers
                    .insert(channel.to_string(), MetricsReader::X(adapter.clone()));
                Adapter::X(adapter)
            }
            Platform::MetaAds => return Ok(None),
        }))
    }

    /// How an X account acts for its user: OAuth 1.0a's four keys, or OAuth 2.0 tokens kept
    /// in the token vault.
    fn x_auth(
        &self,
        account: &Account,
        base_url: &str,
        credentials: &mut Credentials,
    ) -> Result<XAuth, AdapterSetupError> {
        if !account.uses_refresh_token() {
            return Ok(XAuth::OAuth1(OAuth1Keys {
                consumer_key: credentials.required("consumer_key")?,
                consumer_secret: credentials.required("consumer_secret")?,
                access_token: credentials.required("access_token")?,
                access_token_secret: credentials.required("access_token_secret")?,
            }));
        }
        let vault = self
            .tokens
            .clone()
            .ok_or(AdapterSetupError::MissingCredential {
                channel: credentials.channel.clone(),
                key: "refresh_token".into(),
            })?;
        let oauth = OAuth2Client {
            client_id: credentials.required("client_id")?,
            client_secret: credentials.optional("client_secret"),
        };
        Ok(XAuth::OAuth2(Arc::new(XTokens::new(
            account.channel.to_string(),
            self.client.clone(),
            base_url,
            oauth,
            account.timeout,
            vault,
            Arc::clone(self.clock),
        ))))
    }

    /// A webhook posts to its base URL; in a rehearsal, to the sandbox's endpoint for the
    /// account.
    fn webhook_url(&self, account: &Account) -> String {
        match self.rehearsal {
            Some(rehearsal) => format!(
                "{}/webhook/{}",
                rehearsal.sandbox_url.trim_end_matches('/'),
                account.channel.account
            ),
            None => account.base_url.clone(),
        }
    }

    fn whatsapp(
        &self,
        account: &Account,
        credentials: &mut Credentials,
    ) -> Result<Adapter, AdapterSetupError> {
        let token = credentials.required("token")?;
        let phone_number_id = credentials
            .required("phone_number_id")?
            .expose()
            .to_string();
        let waba_id = credentials.required("waba_id")?.expose().to_string();
        Ok(Adapter::WhatsApp(Arc::new(WhatsAppSender::new(
            WhatsAppAdapter::new(
                self.client.clone(),
                &self.base_url(account),
                &account.api_version,
                token,
                phone_number_id,
                waba_id,
                account.timeout,
            ),
            account.channel.to_string(),
            account.templates.clone(),
            account.template_languages.clone(),
            Arc::clone(self.clock),
        ))))
    }

    /// A Twilio account. A rehearsal reports deliveries to the hook registered with the
    /// sandbox, so it names no status-callback URL of the deployment's.
    fn sms(
        &self,
        account: &Account,
        credentials: &mut Credentials,
    ) -> Result<Adapter, AdapterSetupError> {
        let settings = account.sms.as_ref();
        Ok(Adapter::Sms(SmsAdapter::new(
            self.client.clone(),
            SmsAccount {
                base_url: self.base_url(account),
                account_sid: credentials.required("account_sid")?,
                auth_token: credentials.required("auth_token")?,
                sender: settings
                    .map_or_else(|| account.channel.account.clone(), |s| s.sender.to_string()),
                status_callback: settings
                    .and_then(|s| s.status_callback.clone())
                    .filter(|_| self.rehearsal.is_none()),
                timeout: account.timeout,
            },
        )))
    }

    fn facebook_page(
        &self,
        account: &Account,
        credentials: &mut Credentials,
        built: &mut AccountAdapters,
    ) -> Result<Adapter, AdapterSetupError> {
        let page_token = credentials.required("page_token")?;
        let page_id = credentials.required("page_id")?.expose().to_string();
        let ad_account = credentials.optional("ad_account_id");
        let adapter = FacebookAdapter::new(
            self.client.clone(),
            &self.base_url(account),
            &account.api_version,
            page_token,
            page_id,
            account.timeout,
        );
        let channel = account.channel.to_string();
        built.metrics_readers.insert(
            channel.clone(),
            MetricsReader::Facebook {
                adapter: adapter.clone(),
                api_version: account.api_version.clone(),
            },
        );
        if let Some(ad_account) = ad_account {
            built.ad_accounts.insert(
                channel,
                AdAccount {
                    adapter: adapter.clone(),
                    ad_account,
                    api_version: account.api_version.clone(),
                },
            );
        }
        Ok(Adapter::Facebook(adapter))
    }
}

/// One account's resolved credentials, taken out one by one as its adapter needs them.
struct Credentials {
    channel: String,
    values: BTreeMap<String, Secret>,
}

impl Credentials {
    fn required(&mut self, key: &str) -> Result<Secret, AdapterSetupError> {
        self.values
            .remove(key)
            .ok_or_else(|| AdapterSetupError::MissingCredential {
                channel: self.channel.clone(),
                key: key.to_string(),
            })
    }

    fn optional(&mut self, key: &str) -> Option<Secret> {
        self.values.remove(key)
    }
}
