//! Who is really asking: the client's address behind the reverse proxies the operator trusts.
//!
//! Every deployment puts herald behind a proxy, so the peer address of a connection is the
//! proxy's, shared by everyone. Limits keyed by that address would let one stranger lock all
//! staff out. herald therefore reads `Forwarded` (RFC 7239) or `X-Forwarded-For`, but only
//! when the peer is one of the `trusted_proxies` named in `herald.toml`; from anyone else
//! those headers are forged and ignored. The chain is read from the right (the hop nearest to
//! herald) and the first address that is not itself a trusted proxy is the client.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// One trusted address range: an address and how many of its leading bits must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

/// Why a `trusted_proxies` entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRangeError(String);

impl std::fmt::Display for AddressRangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AddressRangeError {}

impl AddressRange {
    /// `10.0.0.1`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub fn parse(text: &str) -> Result<AddressRange, AddressRangeError> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.trim().parse().map_err(|_| {
            AddressRangeError(format!("`{text}` is not an IP address or CIDR range"))
        })?;
        let bits = match network {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| {
                    AddressRangeError(format!(
                        "`{text}`: the prefix length must be a number from 0 to {bits}"
                    ))
                })?,
        };
        Ok(AddressRange { network, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                prefix_matches(&network.octets(), &address.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                prefix_matches(&network.octets(), &address.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for AddressRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The address as limits count it: an IPv4 address itself, an IPv6 address by its /64.
/// One IPv6 host is routinely given a whole /64, so keying by the full address would let one
/// client be 2^64 clients to the failed-login limit, the repeat-click check and the per-peer
/// connection cap.
pub fn client_key(address: IpAddr) -> IpAddr {
    match canonical(address) {
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            IpAddr::from(octets)
        }
        v4 => v4,
    }
}

/// What kind of address a client has, for the audit log: `loopback`, `private` (RFC 1918,
/// carrier-grade NAT, link-local, IPv6 unique-local and link-local) or `public`, with its
/// family (`ipv4 public`). Enough to tell an insider from the internet without keeping an
/// address that could identify a person.
pub fn address_class(address: IpAddr) -> &'static str {
    match canonical(address) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                "ipv4 loopback"
            } else if v4.is_private() || v4.is_link_local() || (a == 100 && (64..128).contains(&b))
            {
                "ipv4 private"
            } else {
                "ipv4 public"
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                "ipv6 loopback"
            } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80 {
                "ipv6 private"
            } else {
                "ipv6 public"
            }
        }
    }
}

/// IPv4 addresses mapped into IPv6 (`::ffff:10.0.0.1`) are the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn prefix_matches(network: &[u8], address: &[u8], prefix: u8) -> bool {
    let whole = usize::from(prefix / 8);
    let rest = prefix % 8;
    if network[..whole] != address[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    network[whole] & mask == address[whole] & mask
}

/// Which header the trusted proxies write the client into. Only that one is read: a proxy
/// appends to its own header and passes any other through as the client sent it, so reading
/// both would let a client name itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`, Caddy, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=…` (RFC 7239).
    Forwarded,
}

impl ForwardedHeader {
    /// `x-forwarded-for` or `forwarded`, as `herald.toml` names them.
    pub fn parse(name: &str) -> Option<ForwardedHeader> {
        match name.to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Some(ForwardedHeader::XForwardedFor),
            "forwarded" => Some(ForwardedHeader::Forwarded),
            _ => None,
        }
    }
}

/// The proxies whose forwarding header herald believes. Empty by default: nobody's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    ranges: Vec<AddressRange>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    pub fn new(ranges: Vec<AddressRange>) -> Self {
        TrustedProxies {
            ranges,
            header: ForwardedHeader::default(),
        }
    }

    /// The same proxies, writing the client into `header`.
    pub fn with_header(self, header: ForwardedHeader) -> Self {
        TrustedProxies { header, ..self }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.ranges.iter().any(|range| range.contains(address))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy, else the
    /// nearest untrusted hop its forwarding headers name (the farthest named hop when every
    /// one of them is trusted too).
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops = forwarded_hops(headers, self.header);
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(hop) = hop else {
                // A hop the proxy could not name (`unknown`, an obfuscated id): nothing
                // beyond it can be believed, and it cannot be keyed. Stop at the proxy.
                return client;
            };
            client = canonical(*hop);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// Bounds how much of a forwarding chain is read: a longer chain is a forgery or a loop.
const MAX_HOPS: usize = 32;

/// The hops named by the proxies' header, nearest last; `None` for a hop that is not an IP
/// address.
fn forwarded_hops(headers: &HeaderMap, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    // Split as bytes: a client may send bytes that are not text, and the proxy appends the
    // hop it saw to that same line; only the unreadable element is lost, never the line.
    let elements = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .flat_map(|value| value.as_bytes().split(|byte| *byte == b','))
            .map(|element| std::str::from_utf8(element).ok())
            .collect::<Vec<Option<&str>>>()
    };
    let hops: Vec<Option<IpAddr>> = match header {
        ForwardedHeader::Forwarded => elements("forwarded")
            .into_iter()
            .rev()
            .take(MAX_HOPS)
            .map(|element| {
                element?.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_forwarded_node(value))
                        .flatten()
                })
            })
            .collect(),
        ForwardedHeader::XForwardedFor => elements("x-forwarded-for")
            .into_iter()
            .rev()
            .take(MAX_HOPS)
            .map(|element| element.and_then(parse_forwarded_node))
            .collect(),
    };
    hops.into_iter().rev().collect()
}

/// `192.0.2.1`, `"192.0.2.1:4711"`, `"[2001:db8::1]:4711"` or `2001:db8::1`.
fn parse_forwarded_node(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Ok(address) = value.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, _port) = value.rsplit_once(':')?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_classes_tell_insiders_from_the_internet() {
        let class = |text: &str| address_class(text.parse().unwrap());
        assert_eq!(class("127.0.0.1"), "ipv4 loopback");
        assert_eq!(class("10.1.2.3"), "ipv4 private");
        assert_eq!(class("100.64.0.1"), "ipv4 private");
        assert_eq!(class("203.0.113.9"), "ipv4 public");
        assert_eq!(class("::ffff:192.168.0.1"), "ipv4 private");
        assert_eq!(class("::1"), "ipv6 loopback");
        assert_eq!(class("fd00::1"), "ipv6 private");
        assert_eq!(class("fe80::1"), "ipv6 private");
        assert_eq!(class("2001:db8::1"), "ipv6 public");
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let range = AddressRange::parse("10.0.0.0/8").unwrap();
        assert!(range.contains(ip("10.200.1.2")));
        assert!(!range.contains(ip("11.0.0.1")));
        assert!(range.contains(ip("::ffff:10.1.1.1")));
        let single = AddressRange::parse("::1").unwrap();
        assert!(single.contains(ip("::1")));
        assert!(!single.contains(ip("::2")));
        let odd = AddressRange::parse("192.168.0.0/23").unwrap();
        assert!(odd.contains(ip("192.168.1.255")));
        assert!(!odd.contains(ip("192.168.2.0")));
        assert!(AddressRange::parse("10.0.0.0/33").is_err());
        assert!(AddressRange::parse("proxy.local").is_err());
    }

    #[test]
    fn an_ipv6_host_is_one_client_by_its_64() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa::1")),
            client_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_key(ip("192.0.2.7")), ip("192.0.2.7"));
    }

    #[test]
    fn forwarding_headers_from_strangers_are_ignored() {
        let none = TrustedProxies::default();
        let forged = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            none.client_ip(ip("203.0.113.9"), &forged),
            ip("203.0.113.9")
        );
        let proxy = TrustedProxies::new(vec![AddressRange::parse("127.0.0.1").unwrap()]);
        assert_eq!(
            proxy.client_ip(ip("203.0.113.9"), &forged),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::new(vec![
            AddressRange::parse("127.0.0.1").unwrap(),
            AddressRange::parse("10.0.0.0/8").unwrap(),
        ]);
        // The client forged a first hop; the proxies appended the real one.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.3")]);
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &chain),
            ip("198.51.100.7")
        );
        let forwarded = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.3",
        )]);
        // A proxy that writes X-Forwarded-For passes a client's own `Forwarded` through.
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &forwarded),
            ip("127.0.0.1")
        );
        let rfc7239 = proxies.clone().with_header(ForwardedHeader::Forwarded);
        assert_eq!(
            rfc7239.client_ip(ip("127.0.0.1"), &forwarded),
            ip("2001:db8::7")
        );
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(rfc7239.client_ip(ip("10.0.0.2"), &unknown), ip("10.0.0.2"));
        assert_eq!(rfc7239.client_ip(ip("10.0.0.2"), &chain), ip("10.0.0.2"));
        // Bytes that are not text in the client's part of the line leave the proxy's hop.
        let mut garbled = HeaderMap::new();
        garbled.insert(
            "x-forwarded-for",
            axum::http::HeaderValue::from_bytes(b"\x80, 198.51.100.9").unwrap(),
        );
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &garbled),
            ip("198.51.100.9")
        );
        let absent = HeaderMap::new();
        assert_eq!(proxies.client_ip(ip("10.0.0.2"), &absent), ip("10.0.0.2"));
    }
}
