//! Which address a request came from.
//!
//! The TCP peer, unless the peer is one of the load balancers named in
//! `NONGSAN_TRUSTED_PROXIES` (comma-separated IPs): then the last hop of
//! `X-Forwarded-For` that is not a trusted proxy. Hops to its left were
//! written by the client and prove nothing; hops a trusted proxy appended
//! are the truth as far as it saw.

use std::future::{ready, Ready};
use std::net::{IpAddr, Ipv4Addr};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

/// The load balancers whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpAddr>);

impl TrustedProxies {
    /// From `NONGSAN_TRUSTED_PROXIES`' text: IPs separated by commas.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<IpAddr>().map_err(|_| format!("`{s}` is not an IP address")))
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }
}

/// The client's address from the TCP peer and `X-Forwarded-For`.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &TrustedProxies) -> IpAddr {
    if !trusted.trusts(peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    for hop in header.rsplit(',').map(str::trim) {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.trusts(ip) => continue,
            Ok(ip) => return ip,
            // garbage where our own proxy writes: count it against the proxy
            Err(_) => return peer,
        }
    }
    peer
}

/// The address a request came from, as [`client_address`] tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    pub fn of(req: &HttpRequest) -> ClientAddr {
        // no peer only happens to requests made in-process (tests)
        let peer = req.peer_addr().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let trusted = req.app_data::<web::Data<TrustedProxies>>();
        let none = TrustedProxies::default();
        ClientAddr(client_address(peer, forwarded, trusted.map_or(&none, |t| t.get_ref())))
    }
}

impl FromRequest for ClientAddr {
    type Error = actix_web::Error;
    type Future = Ready<Result<ClientAddr, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientAddr::of(req)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_peer_unless_it_is_a_trusted_proxy() {
        let lb = TrustedProxies::parse(" 10.0.0.1, 10.0.0.2 ").unwrap();
        // a client cannot pick its address by sending the header itself
        assert_eq!(client_address(ip("203.0.113.9"), Some("1.2.3.4"), &lb), ip("203.0.113.9"));
        // behind the balancer: the last hop it did not write itself
        assert_eq!(client_address(ip("10.0.0.1"), Some("1.2.3.4, 203.0.113.9"), &lb), ip("203.0.113.9"));
        assert_eq!(
            client_address(ip("10.0.0.1"), Some("1.2.3.4, 203.0.113.9, 10.0.0.2"), &lb),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(ip("10.0.0.1"), None, &lb), ip("10.0.0.1"));
        assert_eq!(client_address(ip("10.0.0.1"), Some("nonsense"), &lb), ip("10.0.0.1"));
        assert_eq!(
            client_address(ip("10.0.0.1"), Some("1.2.3.4"), &TrustedProxies::default()),
            ip("10.0.0.1")
        );
        assert!(TrustedProxies::parse("10.0.0.1, lb.local").is_err());
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
    }
}
