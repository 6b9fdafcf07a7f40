//! The webhook deliverer: a task in every server process that claims due deliveries from the
//! outbox, signs and POSTs them, and records what happened. See `crm_store::webhooks` for how
//! several processes share the outbox.
//!
//! Each request carries `Webhook-Id` (the event id, the same on a retry or replay),
//! `Webhook-Timestamp` (Unix seconds) and `Webhook-Signature: v1=<hex>`, the HMAC-SHA256 of
//! `"{timestamp}.{body}"` under the subscription's secret.

use crate::state::AppState;
use crm_domain::webhooks::{is_local_name, is_private_ip};
use crm_store::webhooks::{self as outbox, Claimed, Outcome, RetryPolicy};
use futures_util::stream::{FuturesUnordered, StreamExt};
use hmac::{Hmac, Mac};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the deliverer paces itself.
#[derive(Clone, Debug)]
pub struct DeliverySettings {
    /// How often to look for due deliveries when there were none.
    pub poll: Duration,
    /// How long a claim holds before another process may take the delivery over.
    pub lease: Duration,
    /// How long to wait for a receiver's answer.
    pub timeout: Duration,
    /// Deliveries claimed (and sent concurrently) at a time.
    pub batch: i64,
    pub retry: RetryPolicy,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            batch: 16,
            retry: RetryPolicy { base_secs: 30.0, max_attempts: 12, disable_after: 50 },
        }
    }
}

/// The HMAC-SHA256 signature of `"{timestamp}.{body}"`, hex.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Resolves names to public addresses only, so a name that points inside the network cannot
/// be used to reach it.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|a| !is_private_ip(a.ip())).collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves only to private addresses, which this webhook may not reach").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

struct Clients {
    public: reqwest::Client,
    any: reqwest::Client,
}

impl Clients {
    fn new(timeout: Duration) -> reqwest::Result<Self> {
        let base = || {
            reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("crm-webhooks/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Self { public: base().dns_resolver(Arc::new(PublicOnly)).build()?, any: base().build()? })
    }
}

/// Starts the deliverer on the current runtime. Abort the handle to stop it (a stopped
/// process's claims expire after the lease).
pub fn spawn(state: AppState) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(run(state))
}

async fn run(state: AppState) {
    let settings = state.0.settings.delivery.clone();
    let clients = match Clients::new(settings.timeout) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhook delivery is off: cannot build an HTTP client: {e}");
            return;
        }
    };
    loop {
        match round(&state, &clients, &settings).await {
            Ok(n) if n as i64 >= settings.batch => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("webhook delivery: {e}"),
        }
        actix_web::rt::time::sleep(settings.poll).await;
    }
}

/// Claims one batch and delivers it; returns how many were claimed.
async fn round(state: &AppState, clients: &Clients, settings: &DeliverySettings) -> crate::ApiResult<usize> {
    let (lease, batch) = (settings.lease.as_micros() as i64, settings.batch);
    let due = state.db(move |c| Ok(outbox::due(c, crm_store::time::now_micros(), batch)?)).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let claimed = state.tx(move |c| Ok(outbox::claim(c, &due, crm_store::time::now_micros(), lease)?)).await?;
    let n = claimed.len();
    let mut sending: FuturesUnordered<_> = claimed
        .into_iter()
        .map(|c| async move {
            let outcome = send(clients, &c).await;
            (c, outcome)
        })
        .collect();
    while let Some((claimed, outcome)) = sending.next().await {
        if !outcome.succeeded() {
            tracing::info!(webhook = %claimed.delivery.webhook_id, delivery = %claimed.delivery.id, "webhook attempt failed: {:?} {:?}", outcome.status_code, outcome.error);
        }
        let policy = settings.retry;
        state.tx(move |c| Ok(outbox::finish(c, &claimed, &outcome, policy, crm_store::time::now_micros())?)).await?;
    }
    Ok(n)
}

/// Why this URL may not be reached, before any request.
pub fn refused_target(url: &str, allow_private: bool) -> Option<String> {
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return Some(format!("not a URL: {e}")),
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some(format!("only http and https URLs can receive webhooks, not {}:", parsed.scheme()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("a URL with a user name or password is refused; receivers check the signature instead".into());
    }
    let private = match parsed.host() {
        None => return Some("the URL has no host".into()),
        Some(url::Host::Ipv4(ip)) => is_private_ip(ip.into()),
        Some(url::Host::Ipv6(ip)) => is_private_ip(ip.into()),
        Some(url::Host::Domain(name)) => is_local_name(name),
    };
    (private && !allow_private).then(|| "loopback and private addresses are refused unless an admin allows private targets".into())
}

fn error_text(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() { "timed out".to_owned() } else { e.to_string() };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(500).collect()
}

async fn send(clients: &Clients, claimed: &Claimed) -> Outcome {
    let started = Instant::now();
    let done = |status_code: Option<i32>, response: Option<String>, error: Option<String>| Outcome {
        status_code,
        response,
        error,
        duration_ms: started.elapsed().as_millis() as i64,
    };
    if let Some(why) = refused_target(&claimed.url, claimed.allow_private) {
        return done(None, None, Some(why));
    }
    let d = &claimed.delivery;
    let timestamp = chrono::Utc::now().timestamp();
    let client = if claimed.allow_private { &clients.any } else { &clients.public };
    let request = client
        .post(&claimed.url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", format!("v1={}", signature(&claimed.secret, timestamp, &d.payload)))
        .header("webhook-event", &d.event_type)
        .header("webhook-delivery", &d.id)
        .header("webhook-attempt", (d.attempts + 1).to_string())
        .body(d.payload.clone());
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => return done(None, None, Some(error_text(&e))),
    };
    let status = response.status().as_u16() as i32;
    let mut body: Vec<u8> = Vec::new();
    while body.len() < 1024 {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(1024);
    let text = String::from_utf8_lossy(&body).into_owned();
    done(Some(status), (!text.is_empty()).then_some(text), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_and_body() {
        // RFC 4231 test case 2 shape: key "Jefe"; message "1700000000.{}".
        let sig = signature("Jefe", 1_700_000_000, "{}");
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, signature("Jefe", 1_700_000_000, "{}"));
        assert_ne!(sig, signature("Jefe", 1_700_000_001, "{}"));
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac.finalize().into_bytes()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn targets_are_checked_before_sending() {
        assert!(refused_target("ftp://example.com/x", false).is_some());
        assert!(refused_target("not a url", false).is_some());
        assert!(refused_target("http://127.0.0.1:9/x", false).is_some());
        assert!(refused_target("http://[::1]/x", false).is_some());
        assert!(refused_target("http://localhost/x", false).is_some());
        assert!(refused_target("http://169.254.169.254/latest", false).is_some());
        assert!(refused_target("https://user:pw@example.com/x", false).is_some());
        assert!(refused_target("http://127.0.0.1:9/x", true).is_none());
        assert!(refused_target("https://hooks.example.com/crm", false).is_none());
    }
}
