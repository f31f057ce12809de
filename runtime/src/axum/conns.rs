//! The open connections, oldest first, and which of them are idle: what [`serve`](super::serve)
//! sheds when it runs out of descriptors or connection slots.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use tokio::sync::Notify;

/// A connection younger than this is never shed: a client sends its head at once, so an
/// older connection without a request in flight is slow, or idle between requests. It also
/// bounds how fast a flood drains at the cap (`max_connections` per `MIN_IDLE`): a callback
/// behind 3,000 idle connects waits about 3,000 / 512 x 100 ms.
const MIN_IDLE: Duration = Duration::from_millis(100);

/// One open connection.
#[derive(Debug)]
pub(crate) struct Slot {
    id: u64,
    busy: AtomicUsize,
    /// A request is waiting for its body: OSS sends it at once, so one that trickles in is
    /// as sheddable as an idle connection.
    awaiting_body: AtomicBool,
    idle_since: Mutex<Instant>,
    /// Notified when the connection is to be dropped.
    pub(crate) shed: Notify,
}

impl Slot {
    fn idle_since(&self) -> MutexGuard<'_, Instant> {
        self.idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn sheddable(&self, now: Instant) -> bool {
        (self.busy.load(Ordering::Acquire) == 0 || self.awaiting_body.load(Ordering::Acquire))
            && now.saturating_duration_since(*self.idle_since()) >= MIN_IDLE
    }
}

/// The registry of open connections.
#[derive(Debug, Default)]
pub(crate) struct Connections {
    next: AtomicU64,
    live: Mutex<BTreeMap<u64, Arc<Slot>>>,
}

impl Connections {
    fn live(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<Slot>>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a new connection; it leaves the registry when the guard drops.
    pub(crate) fn open(self: &Arc<Self>) -> Registered {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            id,
            busy: AtomicUsize::new(0),
            awaiting_body: AtomicBool::new(false),
            idle_since: Mutex::new(Instant::now()),
            shed: Notify::new(),
        });
        self.live().insert(id, slot.clone());
        Registered {
            connections: self.clone(),
            slot,
        }
    }

    /// Tells up to `count` of the oldest idle connections to close; returns how many.
    pub(crate) fn shed_idle(&self, count: usize) -> usize {
        let now = Instant::now();
        let mut live = self.live();
        let chosen: Vec<u64> = live
            .values()
            .filter(|slot| slot.sheddable(now))
            .take(count)
            .map(|slot| slot.id)
            .collect();
        for id in &chosen {
            if let Some(slot) = live.remove(id) {
                slot.shed.notify_one();
            }
        }
        chosen.len()
    }

    /// How many connections are open.
    pub(crate) fn len(&self) -> usize {
        self.live().len()
    }
}

/// A connection's place in the registry.
#[derive(Debug)]
pub(crate) struct Registered {
    connections: Arc<Connections>,
    pub(crate) slot: Arc<Slot>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.connections.live().remove(&self.slot.id);
    }
}

/// The connection a request came on, in its extensions: the
/// [`Callback`](super::Callback) extractor marks the time it waits for the body.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionHandle(Arc<Slot>);

impl ConnectionHandle {
    /// Marks the connection as waiting for a body until the guard drops.
    pub(crate) fn awaiting_body(&self) -> AwaitingBody {
        *self.0.idle_since() = Instant::now();
        self.0.awaiting_body.store(true, Ordering::Release);
        AwaitingBody(self.0.clone())
    }
}

/// See [`ConnectionHandle::awaiting_body`].
#[derive(Debug)]
pub(crate) struct AwaitingBody(Arc<Slot>);

impl Drop for AwaitingBody {
    fn drop(&mut self) {
        self.0.awaiting_body.store(false, Ordering::Release);
    }
}

/// A hyper service that marks its connection busy while a request is handled.
#[derive(Debug)]
pub(crate) struct Tracked<S> {
    pub(crate) inner: S,
    pub(crate) slot: Arc<Slot>,
    /// The client, for handlers that take `ConnectInfo<SocketAddr>` (as with `axum::serve`).
    pub(crate) peer: SocketAddr,
}

struct Busy(Arc<Slot>);

impl Busy {
    fn enter(slot: &Arc<Slot>) -> Busy {
        slot.busy.fetch_add(1, Ordering::AcqRel);
        Busy(slot.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self.0.idle_since() = Instant::now();
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<S, B> hyper::service::Service<http::Request<B>> for Tracked<S>
where
    S: hyper::service::Service<http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = WhileBusy<S::Future>;

    fn call(&self, mut request: http::Request<B>) -> Self::Future {
        let extensions = request.extensions_mut();
        extensions.insert(ConnectionHandle(self.slot.clone()));
        extensions.insert(ConnectInfo(self.peer));
        let busy = Busy::enter(&self.slot);
        WhileBusy {
            inner: self.inner.call(request),
            busy: Some(busy),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Tracked`]: the connection counts as busy until it is ready
    /// (or dropped). A struct, not a boxed `async` block: no allocation per request.
    pub(crate) struct WhileBusy<F> {
        #[pin]
        inner: F,
        busy: Option<Busy>,
    }
}

impl<F: Future> Future for WhileBusy<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
        let this = self.project();
        let output = std::task::ready!(this.inner.poll(cx));
        this.busy.take();
        std::task::Poll::Ready(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheds_the_oldest_idle_connections_first_and_never_busy_ones() {
        let connections = Arc::new(Connections::default());
        let first = connections.open();
        let second = connections.open();
        let third = connections.open();
        let _busy = Busy::enter(&first.slot);
        // Too young to shed.
        assert_eq!(connections.shed_idle(5), 0);
        for slot in [&first.slot, &second.slot, &third.slot] {
            *slot.idle_since() = Instant::now() - MIN_IDLE;
        }
        assert_eq!(connections.shed_idle(1), 1);
        let live: Vec<u64> = connections.live().keys().copied().collect();
        assert_eq!(live, vec![first.slot.id, third.slot.id]);
        drop(third);
        assert_eq!(connections.len(), 1);
        // A busy connection whose body trickles in is sheddable once the body is late.
        let waiting = ConnectionHandle(first.slot.clone()).awaiting_body();
        assert_eq!(connections.shed_idle(1), 0);
        *first.slot.idle_since() = Instant::now() - MIN_IDLE;
        assert_eq!(connections.shed_idle(1), 1);
        drop(waiting);
    }
}
