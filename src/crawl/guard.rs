//! The private-address guard: a crawled page must not be able to steer the crawler into the auditor's
//! own network (router admin pages, cloud metadata at 169.254.169.254, services on localhost).
//!
//! The check sits where connections are made: [`GuardedResolver`] resolves names itself and drops every
//! special-purpose address before reqwest may connect, and [`check_url`] refuses literal IP hosts (which
//! reqwest connects to without resolving). The fetcher calls `check_url` on every redirect hop, so a
//! redirect cannot bypass it either.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

/// A connection the guard refused.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "refused: {host} resolves only to special-purpose addresses ({addrs}); use --allow-private to audit such hosts"
)]
pub struct Refused {
    /// The host name or literal address.
    pub host: String,
    /// The refused addresses, comma separated.
    pub addrs: String,
}

/// Whether an address is one the crawler must not connect to by default: loopback, private (RFC 1918,
/// unique local), link-local, unspecified, multicast, broadcast, shared (CGNAT), documentation,
/// benchmarking and reserved ranges, and IPv4-mapped / NAT64 forms of those.
pub fn is_special(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_special_v4(v4),
        IpAddr::V6(v6) => is_special_v6(v6),
    }
}

fn is_special_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0                                   // "this network"
        || (a == 100 && (64..128).contains(&b))     // shared address space (CGNAT), RFC 6598
        || (a == 192 && b == 0 && c == 0)           // IETF protocol assignments, RFC 6890
        || (a == 198 && (18..20).contains(&b))      // benchmarking, RFC 2544
        || a >= 240 // reserved, RFC 1112
}

fn is_special_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_special_v4(v4);
    }
    let s = ip.segments();
    // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return is_special_v4(v4);
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00           // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80           // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0           // deprecated site-local fec0::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8)  // documentation
        || s[0..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible (deprecated) and other ::/96 forms
}

/// What the guard lets through.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Allow every address (tests, the demo, `--allow-private`).
    pub allow_private: bool,
    /// Host names (lowercase) and literal addresses exempted from the guard.
    pub trusted_hosts: HashSet<String>,
}

impl Policy {
    fn trusts(&self, host: &str) -> bool {
        self.allow_private || self.trusted_hosts.contains(&host.to_ascii_lowercase())
    }
}

/// Refuses a URL whose host is a literal special-purpose IP address. Names are checked by
/// [`GuardedResolver`] when the connection is made.
pub fn check_url(url: &Url, policy: &Policy) -> Result<(), Refused> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    let host = url.host_str().unwrap_or_default();
    if is_special(ip) && !policy.trusts(host) {
        return Err(Refused { host: host.to_string(), addrs: ip.to_string() });
    }
    Ok(())
}

/// A DNS resolver that drops special-purpose addresses unless the policy allows them.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<Policy>,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: Arc<Policy>) -> GuardedResolver {
        GuardedResolver { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if policy.trusts(&host) {
                return Ok(Box::new(resolved.into_iter()) as Addrs);
            }
            let (ok, refused): (Vec<_>, Vec<_>) = resolved.into_iter().partition(|a| !is_special(a.ip()));
            if ok.is_empty() {
                let addrs = refused.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>().join(", ");
                return Err(Box::new(Refused { host, addrs }) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(ok.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_ranges_are_refused_and_public_ones_pass() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "ff02::1",
        ] {
            assert!(is_special(bad.parse().unwrap()), "{bad} should be special");
        }
        for good in ["202.96.134.133", "114.114.114.114", "2400:3200::1", "64:ff9b::7272:7272"] {
            assert!(!is_special(good.parse().unwrap()), "{good} should be public");
        }
    }

    #[test]
    fn literal_hosts_are_checked_and_trust_is_explicit() {
        let u = Url::parse("http://127.0.0.1:8080/x").unwrap();
        assert!(check_url(&u, &Policy::default()).is_err());
        assert!(check_url(&u, &Policy { allow_private: true, ..Policy::default() }).is_ok());
        let trusted = Policy { trusted_hosts: ["127.0.0.1".to_string()].into(), ..Policy::default() };
        assert!(check_url(&u, &trusted).is_ok());
        assert!(check_url(&Url::parse("http://[::1]/").unwrap(), &trusted).is_err());
        assert!(check_url(&Url::parse("http://gov.example.cn/").unwrap(), &Policy::default()).is_ok());
    }
}
