//! The reference server of prescan: the JSON API of `api/openapi.yaml`
//! (base path `/api/v1`) over SQLite, the core's analysis engine ticking
//! every second, server-side prescans, and the built app as static files.
//!
//! - [`db`]: the persistence seam (one interface, SQLite its first back
//!   end: the core's `StoreState` cached in memory, written through in one
//!   transaction per mutation; see its docs);
//! - [`har`]: the bound on HAR conversions and their cache;
//! - [`prescan`]: prescans run from the server, with the runner it shares
//!   with the command line (crate `prescan-runner`: the HTTP client, its
//!   limits, and the SSRF consideration: `--prescan-deny-private`);
//! - [`guard`]: which addresses prescans may reach (`--prescan-deny-private`,
//!   `--prescan-allow`), the runner's;
//! - [`http`]: routes, problem details, limits, token, CORS, headers;
//! - [`mail`]: notifications by e-mail through an SMTP relay (`--smtp-url`):
//!   enqueued with the notification, sent by a background task.
//!
//! - stopping ([`Server::run`]): on SIGTERM or Ctrl-C, `/readyz` answers
//!   503 at once, the listener closes after `--shutdown-delay`, running
//!   prescans may finish within `--shutdown-grace` (then are cancelled
//!   and recorded as stopped by the server); a second signal stops at
//!   once. `/healthz` and `/readyz` are the probes of a load balancer or
//!   an orchestrator (see [`http`]).
//!
//! Business rules are the core's (`prescan_core::analysis::StoreState` and
//! `Engine`, `prescan_core::prescan`); wire types are `prescan_core::api`.

pub mod admin;
pub mod clock;
pub mod config;
pub mod db;
/// Which addresses prescans may reach: the runner's guard, shared with the
/// command line.
pub use prescan_runner::guard;
pub mod har;
pub mod http;
pub mod limits;
pub mod mail;
pub mod people;
pub mod prescan;
pub mod serve;
pub mod state;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use prescan_core::analysis::Engine;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clock::now_ms;
pub use config::*;
pub use db::Db;
pub use state::AppState;

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The store (tests look inside).
    pub state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    engine: JoinHandle<()>,
    sweeper: JoinHandle<()>,
    mail: Option<mail::Delivery>,
}

impl Server {
    /// Stops at once: no new connections, requests under way finish,
    /// running prescans are cancelled and recorded as stopped by the
    /// server (for tests and embedders; the binary stops with
    /// [`Server::run`]).
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.state.stopping.store(true, Ordering::Relaxed);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let r = (&mut self.task).await.unwrap_or(Ok(()));
        self.release(true).await;
        r
    }

    /// Waits until the server stops (after a signal given to
    /// [`start`]'s `shutdown`); prescans still running are cancelled.
    pub async fn wait(mut self) -> std::io::Result<()> {
        let r = (&mut self.task).await.unwrap_or(Ok(()));
        self.state.stopping.store(true, Ordering::Relaxed);
        self.release(true).await;
        r
    }

    /// Serves until a signal arrives on `signals` (each message names the
    /// signal, such as "SIGTERM"), then stops gracefully, for a rolling
    /// update:
    ///
    /// 1. `/readyz` answers 503 at once and no prescan starts; connections
    ///    are still taken for [`Config::shutdown_delay`], so that a load
    ///    balancer notices before the listener closes;
    /// 2. the listener closes; requests under way finish;
    /// 3. running prescans may finish until [`Config::shutdown_grace`]
    ///    after the signal; then those left are cancelled, each recorded
    ///    with [`prescan::SERVER_STOPPED_NOTE`];
    /// 4. the engine stops, the e-mail sender gives back what it holds.
    ///
    /// A second signal skips the waits: what runs is cancelled and
    /// recorded at once. Each phase is logged to stderr.
    pub async fn run(
        mut self,
        mut signals: tokio::sync::mpsc::UnboundedReceiver<String>,
    ) -> std::io::Result<()> {
        let first = tokio::select! {
            s = signals.recv() => s,
            r = &mut self.task => {
                // The connection loop ended on its own.
                self.state.stopping.store(true, Ordering::Relaxed);
                self.release(true).await;
                return r.unwrap_or(Ok(()));
            }
        };
        let Some(first) = first else {
            // Nobody can signal any more: serve until the loop ends.
            return self.wait().await;
        };
        let started = tokio::time::Instant::now();
        let delay = self.state.config.shutdown_delay;
        let grace = self.state.config.shutdown_grace.max(delay);
        self.state.stopping.store(true, Ordering::Relaxed);
        eprintln!(
            "prescan-server: {first} received: stopping; /readyz answers 503 from now on, new prescans are refused, and new connections are still taken for {} s (--shutdown-delay) so that load balancers stop sending (a second signal stops at once)",
            delay.as_secs_f64()
        );
        let mut hurry = false;
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            s = signals.recv() => {
                hurry = true;
                eprintln!("prescan-server: {} received again: stopping at once", s.unwrap_or_default());
            }
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let running = self.state.prescans.all().len();
        if !hurry {
            eprintln!(
                "prescan-server: the listener is closed; requests under way finish, and {running} running prescan{} may finish within {} s of the signal (--shutdown-grace)",
                if running == 1 { "" } else { "s" },
                grace.as_secs_f64()
            );
        }
        let deadline = started + grace;
        let mut served: Option<std::io::Result<()>> = None;
        while !hurry {
            if served.is_some() && self.state.prescans.all().is_empty() {
                break;
            }
            tokio::select! {
                r = &mut self.task, if served.is_none() => {
                    served = Some(r.unwrap_or(Ok(())));
                }
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = tokio::time::sleep_until(deadline) => {
                    let left = self.state.prescans.all().len();
                    if left > 0 {
                        eprintln!(
                            "prescan-server: the grace of {} s is over: cancelling {left} prescan{} still running",
                            grace.as_secs_f64(),
                            if left == 1 { "" } else { "s" }
                        );
                    }
                    break;
                }
                s = signals.recv() => {
                    hurry = true;
                    eprintln!(
                        "prescan-server: {} received again: cancelling what still runs and stopping at once",
                        s.unwrap_or_default()
                    );
                }
            }
        }
        if running > 0 && !hurry && self.state.prescans.all().is_empty() {
            eprintln!("prescan-server: every prescan has finished");
        }
        stop_prescans(&self.state).await;
        let r = match served {
            Some(r) => r,
            None if hurry => {
                // Requests under way are cut short.
                self.task.abort();
                Ok(())
            }
            None => {
                // Requests under way had the grace; a little more to end.
                match tokio::time::timeout(Duration::from_secs(5), &mut self.task).await {
                    Ok(r) => r.unwrap_or(Ok(())),
                    Err(_) => {
                        eprintln!("prescan-server: requests still under way are cut short");
                        self.task.abort();
                        Ok(())
                    }
                }
            }
        };
        self.release(false).await;
        eprintln!("prescan-server: stopped");
        r
    }

    /// Stops the engine and the e-mail sender (which gives back the
    /// e-mails it claimed); with `prescans`, first cancels and records
    /// running prescans.
    async fn release(&mut self, prescans: bool) {
        if prescans {
            stop_prescans(&self.state).await;
        }
        self.engine.abort();
        self.sweeper.abort();
        if let Some(m) = self.mail.take() {
            m.stop().await;
            eprintln!("prescan-server: the e-mail sender has stopped; e-mails it held are given back to the outbox");
        }
    }
}

/// Cancels every running prescan as stopped by the server and waits (a
/// few seconds at most) until each is recorded.
async fn stop_prescans(state: &AppState) {
    let running = state.prescans.all();
    if running.is_empty() {
        return;
    }
    for r in &running {
        r.stop_for_shutdown();
    }
    // The drivers record the cancelled prescans; give them a moment.
    for _ in 0..100 {
        if state.prescans.all().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = state.prescans.all().len();
    if left == 0 {
        eprintln!(
            "prescan-server: {} prescan{} cancelled and recorded as stopped by the server",
            running.len(),
            if running.len() == 1 { " was" } else { "s were" }
        );
    } else {
        eprintln!("prescan-server: {left} cancelled prescans could not be recorded in time; another server sharing the database closes them when their lease ends, or this one at its next start");
    }
}

fn prescan_outbound(config: &Config) -> Result<prescan::Outbound, String> {
    let policy = guard::Policy {
        deny_private: config.prescan_deny_private,
        allow: config.prescan_allow.clone(),
        voice: guard::Voice::Server,
    };
    let guard = match &config.prescan_lookup {
        Some(l) => guard::Guard::with_lookup(policy, l.0.clone()),
        None => guard::Guard::new(policy),
    };
    let outbound = prescan::Outbound::new(
        Arc::new(guard),
        config.prescan_proxy.as_deref(),
        config.prescan_max_inflight,
        config.prescan_rate,
    )?;
    match &config.prescan_ca_cert {
        Some(bytes) => outbound.with_ca_certificates(prescan_runner::read_ca_certificates(
            "--prescan-ca-cert",
            bytes,
        )?),
        None => Ok(outbound),
    }
}

/// Opens the store, starts the engine and serves on `listener` until
/// `shutdown` resolves (or [`Server::stop`]).
pub async fn start(
    config: Config,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Server, db::DbError> {
    let opening = config.clone();
    let db = tokio::task::spawn_blocking(move || opening.open_db())
        .await
        .map_err(|e| db::DbError(e.to_string()))??;
    let outbound = prescan_outbound(&config).map_err(db::DbError)?;
    let addr = listener
        .local_addr()
        .map_err(|e| db::DbError(e.to_string()))?;
    // E-mail: the store enqueues with each notification and wakes the
    // sender, which starts below, once the state is ready.
    let wake = Arc::new(tokio::sync::Notify::new());
    let db = match &config.smtp {
        Some(_) => db.with_mail(Arc::new(mail::Composer::new(
            mail::message::link_base(&config.public_urls, addr),
            wake.clone(),
        ))),
        None => db,
    };
    let db = Arc::new(db);
    let index = config
        .dist
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d.join("index.html")).ok());
    let csp = http::app_csp(index.as_deref(), &config.allow_origins, &config.csp_connect);
    let state = Arc::new(AppState {
        db: db.clone(),
        prescans: prescan::Prescans::default(),
        outbound: Arc::new(outbound),
        har: har::HarCache::new(config.max_conversions, har::DEFAULT_BUDGET),
        addr,
        limits: limits::Limits::new(&config),
        app_csp: axum::http::HeaderValue::from_str(&csp)
            .map_err(|e| db::DbError(format!("the Content-Security-Policy: {e}")))?,
        people: state::PeopleState::default(),
        replica: state::replica_id(),
        stopping: Default::default(),
        config,
    });
    http::close_interrupted_prescans(&state).await?;
    // Prescans whose replica stopped renewing their lease are closed by
    // whichever replica finds them first (every few seconds).
    let sweeping = state.clone();
    let sweeper = tokio::spawn(async move {
        let every = (sweeping.config.prescan_lease / 3)
            .clamp(Duration::from_millis(200), Duration::from_secs(10));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = http::close_orphaned_prescans(&sweeping).await {
                eprintln!("prescan-server: closing the prescans of a stopped replica failed: {e}");
            }
            // The shared rate-limit buckets that are full again go.
            let db = sweeping.db.clone();
            let _ = tokio::task::spawn_blocking(move || db.forget_full_rates(now_ms())).await;
        }
    });
    let engine = Engine::new(state.config.engine);
    let engine_db = db.clone();
    let engine_task = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let db = engine_db.clone();
            let r = tokio::task::spawn_blocking(move || db.tick(&engine, now_ms())).await;
            if let Ok(Err(e)) = r {
                eprintln!("prescan-server: engine tick not saved: {e}");
            }
        }
    });
    let mail = match &state.config.smtp {
        Some(smtp) => {
            // The EHLO name: the host the server is reached at, if known.
            let hello = state
                .config
                .public_urls
                .first()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_owned));
            let delivery = mail::deliver::spawn(db.clone(), smtp.clone(), hello, wake)
                .map_err(|e| db::DbError(format!("--smtp-url: {e}")));
            match delivery {
                Ok(d) => Some(d),
                Err(e) => {
                    engine_task.abort();
                    sweeper.abort();
                    return Err(e);
                }
            }
        }
        None => None,
    };
    let app = http::router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let limits = serve::ConnLimits {
        max_connections: state.config.max_connections,
        header_read_timeout: state.config.header_read_timeout,
        idle_timeout: state.config.idle_timeout,
    };
    let task = tokio::spawn(async move {
        serve::serve(listener, app, limits, async move {
            tokio::select! {
                _ = rx => {}
                _ = shutdown => {}
            }
        })
        .await
    });
    Ok(Server {
        addr,
        state,
        shutdown: Some(tx),
        task,
        engine: engine_task,
        sweeper,
        mail,
    })
}
