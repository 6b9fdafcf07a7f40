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
