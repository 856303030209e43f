//! The demo's audience: people who subscribe to the messaging channels by writing to the bots
//! (through the sandbox, exactly as a partner would deliver their words), follow some of the
//! links they receive, and sometimes leave. Every choice is drawn from the seed, so a run can
//! be repeated.

use std::collections::BTreeSet;

use crate::channel::Platform;
use crate::config::{Audience, Config};
use crate::platforms::REHEARSAL_CREDENTIAL;
use crate::sandbox::{PersonAction, PersonError, PersonEvent, Sandbox};

/// How the languages of the demo's subscribers are spread (the rest read the account's first
/// locale).
const LOCALE_SHARE: &[(&str, u64)] = &[
    ("ar", 30),
    ("fa-AF", 20),
    ("ti", 15),
    ("so", 10),
    ("ps", 10),
    ("en", 15),
];

/// A person's identifier on a platform, and the locale they read.
struct Person {
    platform: Platform,
    user: String,
    locale: String,
}

pub struct People {
    people: Vec<Person>,
    seed: u64,
}

/// A number from `seed` and `n`, evenly spread (splitmix64).
fn draw(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable number for one delivered message: its platform, recipient and text (FNV-1a).
fn message_key(platform: &str, recipient: &str, text: &str) -> u64 {
    [platform, recipient, text]
        .iter()
        .flat_map(|part| part.bytes().chain([0xff]))
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

impl People {
    /// `count` people, alternately on WhatsApp and Viber; with `sms`, every third one has
    /// only a basic phone and subscribes by SMS instead.
    pub fn new(count: usize, seed: u64, sms: bool) -> People {
        let total: u64 = LOCALE_SHARE.iter().map(|(_, share)| share).sum();
        let people = (0..count)
            .map(|n| {
                let mut pick = draw(seed, n as u64) % total;
                let locale = LOCALE_SHARE
                    .iter()
                    .find(|(_, share)| {
                        if pick < *share {
                            true
                        } else {
                            pick -= share;
                            false
                        }
                    })
                    .map(|(locale, _)| locale.to_string())
                    .unwrap_or_else(|| "en".into());
                if sms && n % 3 == 2 {
                    Person {
                        platform: Platform::Sms,
                        user: format!("+3197{n:08}"),
                        locale,
                    }
                } else if n % 2 == 0 {
                    Person {
                        platform: Platform::WhatsApp,
                        user: format!("3162{n:07}"),
                        locale,
                    }
                } else {
                    Person {
                        platform: Platform::Viber,
                        user: format!("demo-viber-{n}="),
                        locale,
                    }
                }
            })
            .collect();
        People { people, seed }
    }

    /// Numbers WhatsApp cannot deliver to (about one in fifty): their failure erases them.
    pub fn undeliverable(&self) -> BTreeSet<String> {
        self.people
            .iter()
            .enumerate()
            .filter(|(n, p)| p.platform == Platform::WhatsApp && n % 50 == 10)
            .map(|(_, p)| p.user.clone())
            .collect()
    }

    /// Everyone writes to the bot of their platform; returns how many were taken.
    pub async fn subscribe_all(
        &self,
        sandbox: &Sandbox,
        config: &Config,
    ) -> Result<usize, PersonError> {
        let has = |platform: Platform| {
            config
                .accounts
                .values()
                .any(|a| a.channel.platform == platform && a.audience == Audience::Subscribers)
        };
        let mut joined = 0;
        for person in &self.people {
            if !has(person.platform) {
                continue;
            }
            let action = match person.platform {
                // A WhatsApp link or an SMS keyword carries the language: `START fa-AF`.
                Platform::WhatsApp | Platform::Sms => PersonAction::Subscribe {
                    language: None,
                    payload: Some(person.locale.clone()),
                },
                _ => PersonAction::Subscribe {
                    language: Some(person.locale.clone()),
                    payload: None,
                },
            };
            let status = sandbox
                .simulate_person(PersonEvent {
                    platform: person.platform,
                    key: REHEARSAL_CREDENTIAL.into(),
                    user: person.user.clone(),
                    action,
                })
                .await?;
            if status == 200 {
                joined += 1;
            }
        }
        Ok(joined)
    }

    /// A few people leave each week: they write STOP (or unsubscribe on Viber).
    pub async fn some_leave(&self, sandbox: &Sandbox, week: u64) {
        for (n, person) in self.people.iter().enumerate() {
            if draw(self.seed ^ 0x5709, n as u64 * 1000 + week) % 100 != 0 {
                continue;
            }
            let _ = sandbox
                .simulate_person(PersonEvent {
                    platform: person.platform,
                    key: REHEARSAL_CREDENTIAL.into(),
                    user: person.user.clone(),
                    action: PersonAction::Unsubscribe,
                })
                .await;
        }
    }

    /// People follow some of the links the partners delivered since `after` (a sandbox
    /// sequence number): about one in twenty opens it, and link previews fetch about one in
    /// thirty. Returns the last sequence number seen.
    pub async fn engage(&self, sandbox: &Sandbox, public: &str, after: u64, seed: u64) -> u64 {
        let client = match reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(client) => client,
            Err(_) => return after,
        };
        let prefix = format!("{public}/r/");
        let mut last = after;
        for received in sandbox.delivered().into_iter().filter(|r| r.seq > after) {
            last = last.max(received.seq);
            let Some(at) = received.text.find(&prefix) else {
                continue;
            };
            let link: String = received.text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || ":/._-".contains(*c))
                .collect();
            // Who follows a link depends on the message and its recipient, never on the
            // order in which concurrent requests reached the sandbox, so a seed gives the same
            // clicks on every run.
            let message = message_key(&received.platform, &received.recipient, &received.text);
            let roll = draw(seed, message) % 60;
            let agent = match roll {
                0..=2 => "Mozilla/5.0 (Linux; Android 14) Mobile",
                3 => "TelegramBot (like TwitterBot)",
                _ => continue,
            };
            // Each delivered message reaches its own person, with their own address (from the
            // benchmarking range 198.18.0.0/15, which no real client has).
            let address = std::net::Ipv4Addr::from(0xc612_0000 | (message as u32 & 0x1_ffff));
            let _ = client
                .get(&link)
                .header("user-agent", agent)
                .header("x-forwarded-for", address.to_string())
                .send()
                .await;
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_people_join_only_when_the_project_has_sms() {
        let without = People::new(30, 7, false);
        assert!(without.people.iter().all(|p| p.platform != Platform::Sms));
        let with = People::new(30, 7, true);
        let sms: Vec<&Person> = with
            .people
            .iter()
            .filter(|p| p.platform == Platform::Sms)
            .collect();
        assert_eq!(sms.len(), 10);
        for person in sms {
            assert!(
                matches!(
                    crate::sms::SenderId::parse(&person.user),
                    Ok(crate::sms::SenderId::Number(_))
                ),
                "{}",
                person.user
            );
        }
        // The others keep their platforms and locales: the same seed, the same people.
        for (a, b) in without.people.iter().zip(&with.people) {
            assert_eq!(a.locale, b.locale);
        }
    }
}
