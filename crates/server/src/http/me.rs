//! `/me`: who the caller is (the name their calls are recorded under).

use super::gate::Caller;
use super::prelude::*;
use super::problem::*;

/// The routes of `/me`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/", get(me))
}

pub(super) async fn me(Extension(user): Extension<Caller>) -> Response {
    json_response(
        StatusCode::OK,
        &wire::Me {
            user_display_name: user.0,
        },
    )
}
