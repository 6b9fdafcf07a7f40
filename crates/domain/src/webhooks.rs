//! Outbound webhooks: which events exist, which subscriptions they match, where a delivery
//! may go, and how long to wait before trying again.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Records whose changes are events: `{object}.created`, `.updated`, `.deleted`, `.restored`.
pub const OBJECTS: [&str; 9] = ["contact", "company", "deal", "lead", "activity", "task", "case", "order", "product"];

/// Events beyond the four every object has.
pub const SPECIAL_EVENTS: [&str; 9] = [
    "lead.converted",
    "deal.stage_changed",
    "deal.won",
    "deal.lost",
    "case.status_changed",
    "case.resolved",
    "contact.merged",
    "contact.unmerged",
    "ping",
];

/// The four changes every object reports.
pub const ACTIONS: [&str; 4] = ["created", "updated", "deleted", "restored"];

/// Every event type a subscription can name, in a stable order.
pub fn event_types() -> Vec<String> {
    let mut out: Vec<String> = OBJECTS.iter().flat_map(|o| ACTIONS.iter().map(move |a| format!("{o}.{a}"))).collect();
    out.extend(SPECIAL_EVENTS.iter().map(|s| (*s).to_owned()));
    out
}

/// Whether `pattern` is something a subscription may name: an event type, `object.*` or `*`.
pub fn valid_pattern(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(object) = pattern.strip_suffix(".*") {
        return OBJECTS.contains(&object);
    }
    SPECIAL_EVENTS.contains(&pattern) || pattern.split_once('.').is_some_and(|(o, a)| OBJECTS.contains(&o) && ACTIONS.contains(&a))
}

/// Whether an event of type `event` matches a subscription pattern. `ping` is only sent on
/// request, to the one subscription asked, so no pattern matches it.
pub fn pattern_matches(pattern: &str, event: &str) -> bool {
    if event == "ping" {
        return false;
    }
    pattern == "*" || pattern == event || pattern.strip_suffix(".*").is_some_and(|o| event.split_once('.').is_some_and(|(eo, _)| eo == o))
}

/// Addresses a webhook must not reach unless an admin allowed private targets: loopback,
/// private, link-local (cloud metadata lives there), shared, unspecified, multicast.
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
}

/// Host names that always mean this machine.
pub fn is_local_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost") || h.ends_with(".local") || h.ends_with(".internal")
}

/// Seconds to wait after the `attempt`-th failed attempt (1-based): `base`, doubling, at most
/// six hours.
pub fn backoff_secs(base_secs: f64, attempt: i32) -> f64 {
    let factor = 2f64.powi((attempt - 1).clamp(0, 30));
    (base_secs * factor).min(6.0 * 3600.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_real_events() {
        assert!(valid_pattern("*"));
        assert!(valid_pattern("deal.*"));
        assert!(valid_pattern("deal.stage_changed"));
        assert!(valid_pattern("contact.created"));
        assert!(!valid_pattern("contact.exploded"));
        assert!(!valid_pattern("user.*"));
        assert!(!valid_pattern(""));
        assert!(pattern_matches("deal.*", "deal.won"));
        assert!(!pattern_matches("deal.*", "dealer.won"));
        assert!(!pattern_matches("*", "ping"));
        assert!(event_types().iter().all(|e| valid_pattern(e)));
    }

    #[test]
    fn private_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private_ip(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["8.8.8.8", "203.0.113.9", "2001:4860:4860::8888"] {
            assert!(!is_private_ip(ip.parse().expect("ip")), "{ip}");
        }
        assert!(is_local_name("LocalHost."));
        assert!(is_local_name("db.internal"));
        assert!(!is_local_name("hooks.example.com"));
    }

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff_secs(30.0, 1), 30.0);
        assert_eq!(backoff_secs(30.0, 3), 120.0);
        assert_eq!(backoff_secs(30.0, 40), 21_600.0);
    }
}
