//! The help desk's page (`--dev-admin`, for development and the browser test): the
//! administrator's actions of `tollgate::Admin` on one form, as "helpdesk". It has no login of
//! its own: anyone who reaches the page acts as the help desk. A real service puts these
//! actions behind its own administrators' login (and keeps their names in the audit).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq as _;
use tollgate::Service;

#[derive(Clone)]
struct Desk {
    service: Arc<Service>,
    /// The CSRF token of the page's form.
    token: String,
}

pub(crate) fn routes(service: Arc<Service>) -> Router {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's RNG");
    let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Router::new()
        .route("/dev/admin", get(page).post(act))
        .with_state(Desk { service, token })
}

async fn page(State(desk): State<Desk>) -> Response {
    Html(render(&desk, "", "")).into_response()
}

/// The form, the last action's result, and the account it acted on.
fn render(desk: &Desk, result: &str, account: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>Help desk</title></head><body><main data-screen="admin">
<h1>Help desk (development: anyone here acts as the help desk)</h1>
<form method="post" action="/dev/admin"><input type="hidden" name="csrf" value="{token}">
<label for="user">User ID</label> <input id="user" name="user" type="text">
<label for="action">Action</label> <select id="action" name="action">
<option value="show">show</option><option value="unlock">unlock</option>
<option value="revoke">revoke every token</option>
<option value="temporary-password">temporary password (value)</option>
<option value="grant">re-enrollment grant (value: hours)</option>
<option value="unlock-app">app unlock code (value: the app's PIN reset code, and its serial number when the user has several)</option>
</select>
<label for="value">Value</label> <input id="value" name="value" type="text">
<button type="submit" id="act">Do it</button></form>
<p id="result">{result}</p><pre id="account">{account}</pre>
</main></body></html>"#,
        token = desk.token,
        result = escape(result),
        account = escape(account),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(serde::Deserialize)]
struct Action {
    csrf: String,
    user: String,
    action: String,
    #[serde(default)]
    value: String,
}

async fn act(State(desk): State<Desk>, Form(form): Form<Action>) -> Response {
    if !bool::from(form.csrf.as_bytes().ct_eq(desk.token.as_bytes())) {
        return (StatusCode::FORBIDDEN, "the form's token does not match").into_response();
    }
    let service = desk.service.clone();
    // The actions hash passwords and wait for the store: off the runtime's threads.
    let done = tokio::task::spawn_blocking(move || {
        let admin = service.admin("helpdesk");
        let (user, value) = (form.user.trim(), form.value.trim());
        let result = match form.action.as_str() {
            "show" => Ok(String::new()),
            "unlock" => admin.unlock(user).map(|()| "unlocked".to_owned()),
            "revoke" => admin.revoke_token(user).map(|()| "revoked".to_owned()),
            "temporary-password" => admin
                .set_temporary_password(user, value)
                .map(|()| "temporary password set".to_owned()),
            "grant" => {
                let hours: u32 = value.parse().unwrap_or(24);
                admin
                    .grant_reenrollment(user, hours.saturating_mul(3600))
                    .map(|code| format!("re-enrollment code: {}", code.as_str()))
            }
            "unlock-app" => match value.split_once(' ') {
                Some((reset, serial)) => admin.app_unlock_code_for(user, serial, reset),
                None => admin.app_unlock_code(user, value),
            }
            .map(|code| format!("unlock code: {}", code.as_str())),
            other => return (format!("unknown action {other:?}"), String::new()),
        };
        let mut account = admin
            .account(user)
            .map(|a| format!("{a:#?}"))
            .unwrap_or_default();
        // The newest events, the action's own among them.
        for record in admin.recent_events(user, 20).unwrap_or_default() {
            account.push_str(&format!(
                "\n{} {} {}",
                record.at.as_secs(),
                record.kind,
                record.detail
            ));
        }
        match result {
            Ok(done) => (done, account),
            Err(e) => (format!("refused: {e}"), account),
        }
    })
    .await;
    match done {
        Ok((result, account)) => Html(render(&desk, &result, &account)).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the action failed").into_response(),
    }
}
