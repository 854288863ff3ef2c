//! The connection loop: HTTP/1.1 with hyper's own builder (axum's `serve`
//! has no header-read timeout), so that a client cannot hold connections
//! for ever.
//!
//! - at most [`Config::max_connections`] connections are served at once;
//!   further ones wait in the listen backlog until one ends;
//! - a client must send a request's line and headers within
//!   [`Config::header_read_timeout`] (hyper closes the connection
//!   otherwise); the same timer runs while a kept-alive connection waits
//!   for its next request;
//! - a connection on which nothing is read or written for
//!   [`Config::idle_timeout`] is closed (a slow body, a client that stopped
//!   reading). The handlers' own waits are shorter: a conversion waits at
//!   most [`Config::conversion_wait`] plus [`Config::conversion_deadline`];
//! - on shutdown, no connection is accepted any more, idle ones are closed,
//!   requests under way finish.
//!
//! [`Config::max_connections`]: crate::config::Config::max_connections
//! [`Config::header_read_timeout`]: crate::config::Config::header_read_timeout
//! [`Config::idle_timeout`]: crate::config::Config::idle_timeout
//! [`Config::conversion_wait`]: crate::config::Config::conversion_wait
//! [`Config::conversion_deadline`]: crate::config::Config::conversion_deadline

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// The limits of connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Connections at once.
    pub max_connections: usize,
    /// Time to send the request line and headers.
    pub header_read_timeout: Duration,
    /// Time without a byte read or written.
    pub idle_timeout: Duration,
}

/// A stream that notes when it last moved a byte.
struct Tracked {
    inner: TcpStream,
    base: Instant,
    last: Arc<AtomicU64>,
}

impl Tracked {
    fn touch(&self) {
        self.last
            .store(self.base.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then waits for
/// the requests under way.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let (closing, closed) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.expect("never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little
                    // rather than spin.
                    eprintln!("prescan-server: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let closed = closed.clone();
        tokio::spawn(async move {
            let _slot = slot;
            connection(stream, addr, app, limits, closed).await;
        });
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection holds a slot until it ends.
    let _all = slots.acquire_many(max as u32).await;
    Ok(())
}

async fn connection(
    stream: TcpStream,
    addr: SocketAddr,
    app: Router,
    limits: ConnLimits,
    mut closed: watch::Receiver<bool>,
) {
    let last = Arc::new(AtomicU64::new(0));
    let base = Instant::now();
    let io = TokioIo::new(Tracked {
        inner: stream,
        base,
        last: last.clone(),
    });
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut shutting_down = *closed.borrow();
    if shutting_down {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        let idle_for = Duration::from_millis(
            (base.elapsed().as_millis() as u64).saturating_sub(last.load(Ordering::Relaxed)),
        );
        let left = limits.idle_timeout.saturating_sub(idle_for);
        if left.is_zero() {
            // Dropping the connection closes the socket.
            return;
        }
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = closed.changed(), if !shutting_down => {
                shutting_down = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = tokio::time::sleep(left) => {}
        }
    }
}
