//! The routes beside the pages: the stylesheet, the script, and the QR images of the page a
//! session was last shown.

use axum::Extension;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tollgate::provision::{QrOptions, render_png};

use crate::Login;
use crate::responses::{failure, secure};

/// The default pages' stylesheet.
pub(crate) const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header,footer{display:flex;justify-content:space-between;align-items:center;padding:.8rem 1.5rem;background:#0b3d6b;color:#fff}
footer{background:none;color:#1d2330}footer a{color:#0b3d6b}
.brand{font-weight:600}.lang{display:flex;gap:.4rem;align-items:center}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .3rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{padding:.45rem 1rem;font-size:1rem;margin-top:.6rem;cursor:pointer}
button.primary{background:#0b3d6b;color:#fff;border:0;border-radius:4px}
button.link{background:none;border:0;color:#0b3d6b;text-decoration:underline;padding:0}
.row{display:flex;gap:.6rem;align-items:center;margin:.4rem 0}.label{min-width:9rem}
code{font-size:1.05rem;background:#eef;padding:.15rem .4rem;overflow-wrap:anywhere}
.notice{background:#fff3cd;border:1px solid #e0c36c;padding:.6rem}.dev-banner{background:#b00020;color:#fff;margin:0;padding:.4rem;text-align:center}.user{color:#555}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}
.progress{color:#555;font-size:.9rem}ol.steps{padding-left:1.3rem}ol.steps li{margin:.9rem 0}
.choice{display:flex;gap:.6rem}button.choice{background:#fff;border:1px solid #0b3d6b;color:#0b3d6b;border-radius:4px}
button.chosen{background:#0b3d6b;color:#fff}.arrived{color:#0a6b2d;font-weight:600}details{margin:.6rem 0}
ul.authenticators{list-style:none;padding:0}ul.authenticators>li{border:1px solid #ddd;border-radius:4px;padding:.6rem .8rem;margin:.6rem 0}
ul.authenticators .date{display:block;color:#555;font-size:.9rem}ul.authenticators form{display:flex;gap:.5rem;align-items:baseline;flex-wrap:wrap}
ul.authenticators form label{margin:.4rem 0 0}ul.authenticators input[type=text]{flex:1;width:auto}
";

/// The copy buttons, and the passkey ceremonies: a `form[data-passkey]` runs
/// `navigator.credentials.get()` or `.create()` with its `data-options` when it is sent, and
/// posts the browser's answer (`PublicKeyCredential.toJSON()`) in its `value`.
pub(crate) const SCRIPT: &str = "document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    var text = document.getElementById(b.dataset.copy).textContent;
    if (navigator.clipboard) { navigator.clipboard.writeText(text); }
  });
});
document.querySelectorAll('form[data-passkey]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var show = function (id) { document.getElementById(id).hidden = false; };
    var PKC = window.PublicKeyCredential;
    if (!PKC || !PKC.parseRequestOptionsFromJSON) { show('passkey_unsupported'); return; }
    var options = JSON.parse(form.dataset.options);
    var ceremony = form.dataset.passkey === 'create'
      ? navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options) })
      : navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options) });
    ceremony.then(function (credential) {
      form.elements.value.value = JSON.stringify(credential.toJSON());
      form.submit();
    }, function () { show('passkey_failed'); });
  });
});
";

pub(crate) async fn style() -> Response {
    ([(CONTENT_TYPE, "text/css")], STYLE).into_response()
}

pub(crate) async fn script() -> Response {
    ([(CONTENT_TYPE, "text/javascript")], SCRIPT).into_response()
}

/// The secure activation QR code of the page this session was last shown.
pub(crate) async fn qr(Extension(login): Extension<Login>, headers: HeaderMap) -> Response {
    let uri = login
        .session_of(&headers)
        .await
        .and_then(|held| held.session.qr_uri);
    png(&login, uri.as_deref())
}

/// The open path's QR code of that page (it carries the token's secret: served to this session
/// alone, never cached).
pub(crate) async fn open_qr(Extension(login): Extension<Login>, headers: HeaderMap) -> Response {
    let uri = login
        .session_of(&headers)
        .await
        .and_then(|held| held.session.open_uri);
    png(&login, uri.as_deref().map(String::as_str))
}

fn png(login: &Login, uri: Option<&str>) -> Response {
    let Some(uri) = uri else {
        return failure(
            login,
            StatusCode::NOT_FOUND,
            "no QR code on this session's page",
        );
    };
    let options = QrOptions {
        module_size: 8,
        ..QrOptions::default()
    };
    match render_png(uri.as_bytes(), &options) {
        Ok(png) => secure(([(CONTENT_TYPE, "image/png")], png.to_vec()).into_response()),
        Err(e) => failure(login, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
