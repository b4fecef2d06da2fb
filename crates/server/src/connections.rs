//! Open connections per client address.
//!
//! actix-web limits connections per worker, not per address: one address
//! could hold thousands and starve everyone else. Each accepted connection
//! takes a [`ConnectionSlot`] for its TCP peer (kept with the connection,
//! given back when it closes); a connection beyond the address's share is
//! answered 429 `too_many_connections` on its first request and closed.
//! Load balancers named in `NONGSAN_TRUSTED_PROXIES` carry everyone's
//! connections and are not limited: the balancer limits per client.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Extensions, Service, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use common::error::error_response;
use common::ErrorCode;

/// Connections open per address, shared by every worker.
#[derive(Debug)]
pub struct ConnectionCounter {
    per_address: usize,
    trusted: accounts::throttle::TrustedProxies,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place in its address's count.
#[derive(Debug)]
pub struct ConnectionSlot {
    counter: Arc<ConnectionCounter>,
    address: IpAddr,
    /// Beyond the address's share: its requests are refused.
    over: bool,
}

impl ConnectionCounter {
    pub fn new(per_address: usize, trusted: accounts::throttle::TrustedProxies) -> Arc<ConnectionCounter> {
        Arc::new(ConnectionCounter { per_address, trusted, open: Mutex::new(HashMap::new()) })
    }

    fn counts(&self) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
        // a count is plain numbers: still right after a panic elsewhere
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes a slot for a new connection from `address`.
    pub fn open(self: &Arc<Self>, address: IpAddr) -> ConnectionSlot {
        let mut counts = self.counts();
        let n = counts.entry(address).or_insert(0);
        *n += 1;
        let over = *n > self.per_address && !self.trusted.0.contains(&address);
        ConnectionSlot { counter: self.clone(), address, over }
    }

    /// Connections open from `address` now.
    pub fn open_from(&self, address: IpAddr) -> usize {
        self.counts().get(&address).copied().unwrap_or(0)
    }

    /// For `HttpServer::on_connect`: a slot kept with each plain TCP
    /// connection, so it is given back when the connection is dropped.
    pub fn on_connect(
        self: &Arc<Self>,
    ) -> impl Fn(&dyn std::any::Any, &mut Extensions) + Send + Sync + 'static {
        let counter = self.clone();
        move |conn, data| {
            if let Some(peer) =
                conn.downcast_ref::<actix_web::rt::net::TcpStream>().and_then(|tcp| tcp.peer_addr().ok())
            {
                data.insert(counter.open(peer.ip()));
            }
        }
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts = self.counter.counts();
        if let Some(n) = counts.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// Refuses the requests of a connection beyond its address's share, and
/// closes it.
pub fn refuse_extra_connections<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let over = req.conn_data::<ConnectionSlot>().is_some_and(|slot| slot.over);
    let fut = if over { None } else { Some(srv.call(req)) };
    async move {
        match fut {
            Some(f) => f.await.map(|r| r.map_into_boxed_body()),
            None => {
                let mut resp = error_response(
                    ErrorCode::TooManyConnections,
                    "too many connections from this address; close some and try again",
                );
                resp.head_mut().set_connection_type(ConnectionType::Close);
                resp.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from_static("1"),
                );
                Err(actix_web::error::InternalError::from_response("too many connections", resp).into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_slots_come_back() {
        let lb: IpAddr = "10.0.0.1".parse().unwrap();
        let counter = ConnectionCounter::new(2, accounts::throttle::TrustedProxies(vec![lb]));
        let a: IpAddr = "203.0.113.9".parse().unwrap();
        let first = counter.open(a);
        let second = counter.open(a);
        let third = counter.open(a);
        assert_eq!((first.over, second.over, third.over), (false, false, true));
        assert!(!counter.open("198.51.100.7".parse().unwrap()).over, "another address has its own share");
        drop((first, third));
        assert_eq!(counter.open_from(a), 1);
        assert!(!counter.open(a).over);
        // the balancer carries everyone
        let through_lb: Vec<_> = (0..5).map(|_| counter.open(lb)).collect();
        assert!(through_lb.iter().all(|s| !s.over));
        drop(through_lb);
        drop(second);
        assert_eq!(counter.open_from(a), 0);
    }
}
