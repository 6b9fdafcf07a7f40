//! Sends one email through the workspace's SMTP server (lettre on tokio, TLS by rustls).

use crm_api_types::SmtpSecurity;
use crm_store::mail::SettingsRow;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one send may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(20);

/// An email ready to leave: every address already checked.
#[derive(Debug)]
pub struct Outgoing<'a> {
    pub to: &'a [String],
    pub cc: &'a [String],
    pub subject: &'a str,
    pub body: &'a str,
    /// Without angle brackets.
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    /// The thread's Message-IDs, oldest first.
    pub references: &'a [String],
}

pub fn security(s: &str) -> SmtpSecurity {
    match s {
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::None,
        _ => SmtpSecurity::Starttls,
    }
}

/// Sends `m`; the error is what went wrong, in words an admin can act on.
pub async fn send(settings: &SettingsRow, m: &Outgoing<'_>) -> Result<(), String> {
    let address = |a: &str| a.parse().map_err(|e| format!("{a}: {e}"));
    let from = Mailbox::new(settings.from_name.clone(), address(&settings.from_address)?);
    let mut b = Message::builder().from(from).subject(m.subject).message_id(Some(format!("<{}>", m.message_id)));
    for to in m.to {
        b = b.to(Mailbox::new(None, address(to)?));
    }
    for cc in m.cc {
        b = b.cc(Mailbox::new(None, address(cc)?));
    }
    if let Some(parent) = m.in_reply_to {
        b = b.in_reply_to(format!("<{parent}>"));
        let refs: Vec<String> = m.references.iter().map(|r| format!("<{r}>")).collect();
        if !refs.is_empty() {
            b = b.references(refs.join(" "));
        }
    }
    let message = b.header(ContentType::TEXT_PLAIN).body(m.body.to_owned()).map_err(|e| e.to_string())?;
    let port = u16::try_from(settings.port).map_err(|_| "the port is out of range".to_owned())?;
    let builder = match security(&settings.security) {
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host),
        SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)),
    }
    .map_err(|e| e.to_string())?;
    let mut builder = builder.port(port).timeout(Some(TIMEOUT));
    if let Some(user) = &settings.username {
        builder = builder.credentials(Credentials::new(user.clone(), settings.password.clone().unwrap_or_default()));
    }
    builder.build().send(message).await.map(|_| ()).map_err(|e| e.to_string())
}
