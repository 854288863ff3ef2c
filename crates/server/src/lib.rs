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
    /// Stops gracefully: no new connections, requests under way finish,
    /// running prescans are cancelled and recorded.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let r = (&mut self.task).await.unwrap_or(Ok(()));
        self.engine.abort();
        self.sweeper.abort();
        finish_prescans(&self.state).await;
        if let Some(m) = self.mail.take() {
            m.stop().await;
        }
        r
    }

    /// Waits until the server stops (after a signal given to
    /// [`start`]'s `shutdown`).
    pub async fn wait(mut self) -> std::io::Result<()> {
        let r = (&mut self.task).await.unwrap_or(Ok(()));
        self.engine.abort();
        self.sweeper.abort();
        finish_prescans(&self.state).await;
        if let Some(m) = self.mail.take() {
            m.stop().await;
        }
        r
    }
}

async fn finish_prescans(state: &AppState) {
    let running = state.prescans.all();
    for r in &running {
        r.cancel();
    }
    // The drivers record the cancelled prescans; give them a moment.
    for _ in 0..40 {
        if state.prescans.all().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
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
