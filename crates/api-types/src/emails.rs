//! Emails received from a mail provider's inbound hook.

use serde::{Deserialize, Serialize};

/// A mailbox: address and display name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An email as mail providers post it to an inbound hook (parsed, not raw MIME).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InboundEmail {
    /// The Message-ID header, with or without angle brackets. Posting the same id again
    /// changes nothing.
    pub message_id: String,
    /// The In-Reply-To header: the message this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    /// The References header, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    pub from: Mailbox,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Mailbox>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Mailbox>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The plain-text body (at most 256 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The HTML body (at most 1 MiB), used as text when there is no `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The Date header (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

/// Where an inbound email was logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundEmailReceipt {
    /// The email activity.
    pub activity_id: String,
    /// The Message-ID of the first email of the conversation.
    pub thread_id: String,
    pub contact_ids: Vec<String>,
    pub company_id: Option<String>,
    /// Taken from the thread, when the conversation is about a deal or a case.
    pub deal_id: Option<String>,
    pub case_id: Option<String>,
    /// True when this Message-ID had been received before; nothing changed.
    pub duplicate: bool,
}

/// The text of an HTML body: tags, scripts and styles dropped, common entities decoded,
/// blank runs collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        if rest.starts_with("<script") || rest.starts_with("<style") {
            let close = if rest.starts_with("<script") { "</script>" } else { "</style>" };
            i = rest.find(close).map_or(html.len(), |e| i + e + close.len());
            continue;
        }
        if rest.starts_with('<') {
            let block = ["<br", "<p", "</p", "<div", "</div", "<li", "<tr", "</h"].iter().any(|t| rest.starts_with(t));
            if block && !out.ends_with('\n') {
                out.push('\n');
            }
            i = rest.find('>').map_or(html.len(), |e| i + e + 1);
            continue;
        }
        let next = rest.find('<').map_or(html.len(), |e| i + e);
        out.push_str(&html[i..next]);
        i = next;
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let mut text = String::with_capacity(decoded.len());
    for line in decoded.lines().map(str::trim) {
        if line.is_empty() && (text.is_empty() || text.ends_with("\n\n")) {
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn html_becomes_readable_text() {
        let html = "<html><style>p{color:red}</style><body><p>Hi&nbsp;Sara,</p><p>The quote is <b>attached</b> &amp; signed.</p>\
                    <script>alert(1)</script><div>Best,<br>Reza</div></body></html>";
        assert_eq!(html_to_text(html), "Hi Sara,\nThe quote is attached & signed.\nBest,\nReza");
    }
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the server cannot.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

/// The workspace's outgoing mail server. The password is never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailSettings {
    /// False until an admin saves settings; sending is refused until then.
    pub configured: bool,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<SmtpSecurity>,
    pub username: Option<String>,
    /// Whether a password is stored.
    pub password_set: bool,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub version: i64,
}

/// New outgoing mail settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsInput {
    pub host: String,
    /// Default 587 for `starttls`, 465 for `tls`, 25 for `none`.
    #[serde(default)]
    pub port: Option<u16>,
    /// Default `starttls`.
    #[serde(default)]
    pub security: Option<SmtpSecurity>,
    #[serde(default)]
    pub username: Option<String>,
    /// Absent: keep the stored password; `null`: remove it; a string: replace it.
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub password: Option<Option<String>>,
    pub from_address: String,
    #[serde(default)]
    pub from_name: Option<String>,
}

/// A reusable email with merge fields such as `{{contact.first_name|there}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailTemplate {
    pub id: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A template's name, subject and body; unknown merge fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailTemplateInput {
    pub name: String,
    pub subject: String,
    pub body: String,
}

/// An email to send from a record: to a contact (its primary address unless `to` names
/// another), with a template or a subject and body, optionally in reply to an email.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendEmail {
    pub contact_id: String,
    /// Another address of the contact's, or any address, instead of its primary one.
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub deal_id: Option<String>,
    #[serde(default)]
    pub case_id: Option<String>,
    /// Merge fields in `subject` and `body` are filled too.
    #[serde(default)]
    pub template_id: Option<String>,
    /// Required without a template; overrides the template's.
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// The Message-ID of the email this answers: the reply joins its thread and takes its
    /// deal and case.
    #[serde(default)]
    pub in_reply_to: Option<String>,
}

/// An email sent and logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentEmail {
    /// The email activity on the contact's (and company's, deal's, case's) timeline.
    pub activity_id: String,
    /// Without angle brackets; replies carrying it in In-Reply-To join this thread.
    pub message_id: String,
    pub thread_id: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}
