//! `/notifications`: what the caller is told, oldest first, after an id.

use prescan_core::people::Role;

use super::extract::*;
use super::gate::Caller;
use super::prelude::*;
use super::problem::*;
use super::work::*;

/// The routes of `/notifications`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/", get(notifications))
}

/// `after`: an id from 0; `limit`: 1 to [`wire::MAX_NOTIFICATIONS`].
pub(super) fn notification_params(raw: Option<String>) -> Result<(u64, usize), ApiError> {
    let params = query_params(raw)?;
    let after = match params.get("after") {
        None => 0,
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= i64::MAX as u64 && v.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                bad_param(
                    "after",
                    format!(
                        "The parameter after must be a notification id from 0 to {} (got \"{v}\"); give 0 for all.",
                        i64::MAX
                    ),
                )
            })?,
    };
    let limit = match params.get("limit") {
        None => wire::MAX_NOTIFICATIONS,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| {
                (1..=wire::MAX_NOTIFICATIONS).contains(n) && v.bytes().all(|b| b.is_ascii_digit())
            })
            .ok_or_else(|| {
                bad_param(
                    "limit",
                    format!(
                        "The parameter limit must be an integer from 1 to {} (got \"{v}\").",
                        wire::MAX_NOTIFICATIONS
                    ),
                )
            })?,
    };
    Ok((after, limit))
}

/// The caller's notifications only: those for the schedule owner they
/// are, and those for the security leads if they are one.
pub(super) async fn notifications(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (after, limit) = notification_params(raw)?;
    let db = s.db.clone();
    let (rows, latest) = blocking(move || {
        let reader = db::Reader {
            name: user.name(),
            security_lead: user.principal.has(Role::SecurityLead),
        };
        Ok(db.notifications(&reader, after, limit)?)
    })
    .await?;
    let list = wire::NotificationList {
        notifications: rows
            .iter()
            .map(|(id, n)| wire::NotificationItem::from_core(*id, n))
            .collect(),
        latest_notification_id: latest,
    };
    Ok(json_response(StatusCode::OK, &list))
}
