//! The two channels a digest goes by: e-mail through SMTP (STARTTLS over rustls unless the
//! configuration says the relay is local), and a POST to the staff-chat webhook signed like
//! herald's partner webhooks. Each returns only once the other side accepted the digest.

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::compose::DigestMessage;
use super::settings::{EmailSettings, WebhookSettings};
use super::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::{NotifyError, SendError};
use crate::config::SmtpSecurity;

/// An SMTP client for these settings; one connection per digest (digests are few).
pub(super) fn smtp_transport(
    email: &EmailSettings,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, NotifyError> {
    let builder = match email.security {
        SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&email.host)
            .map_err(|e| NotifyError::Smtp(e.to_string()))?,
        SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&email.host),
    };
    let mut builder = builder.port(email.port).timeout(Some(email.timeout));
    if let Some((user, password)) = &email.credentials {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose().to_string(),
        ));
    }
    Ok(builder.build())
}

pub(super) async fn send_email(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    email: &EmailSettings,
    to: &str,
    message: &DigestMessage,
) -> Result<(), SendError> {
    let mail = Message::builder()
        .from(email.from.parse()?)
        .to(to.parse()?)
        .subject(message.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(message.text.clone())?;
    transport.send(mail).await?;
    Ok(())
}

pub(super) async fn send_webhook(
    client: &reqwest::Client,
    webhook: &WebhookSettings,
    digest_id: i64,
    timestamp: i64,
    message: &DigestMessage,
) -> Result<(), SendError> {
    let body = serde_json::to_vec(&message.json).unwrap_or_default();
    let signature = crate::platforms::sign_webhook(webhook.secret.expose(), timestamp, &body);
    let answer = client
        .post(&webhook.url)
        .header("content-type", "application/json")
        .header("idempotency-key", format!("digest-{digest_id}"))
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature)
        .timeout(std::time::Duration::from_secs(10))
        .body(body)
        .send()
        .await?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(SendError::WebhookStatus(answer.status().as_u16()))
    }
}
