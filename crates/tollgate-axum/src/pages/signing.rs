//! "Create your Signing Certificate": the session page's part for remote signing, the next
//! thing the guide's user does after "Continue" (its last line). The button while the user has
//! no certificate that signs; the list with "Revoke" beside each that is not revoked.

use maud::{Markup, html};
use tollgate::login::MessageId;
use tollgate::otp::UnixTime;

use super::PageContext;
use super::authenticators::dated;

/// Whether a signing certificate signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateState {
    /// It signs, once authorized.
    Active,
    /// Too many wrong codes: an administrator unlocks it.
    Locked,
    /// Revoked for good.
    Revoked,
}

/// One signing certificate, as the session page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningCertificate {
    /// The credential's ID (what the CSC API names it by).
    pub id: String,
    /// When it was made.
    pub created: UnixTime,
    /// Whether it signs.
    pub state: CertificateState,
}

/// The part of the session page.
pub(super) fn section(cx: &PageContext<'_>, certificates: &[SigningCertificate]) -> Markup {
    let any_active = certificates
        .iter()
        .any(|c| c.state != CertificateState::Revoked);
    html! {
        section id="signing" {
            @if !any_active {
                h2 { (cx.text(MessageId::CreateSigningCertificate)) }
                p { (cx.text(MessageId::SigningCertificateHelp)) }
                (cx.form("create_signing_certificate", cx.button(
                    MessageId::CreateSigningCertificate, "primary", "create_signing_certificate",
                )))
            }
            @if !certificates.is_empty() {
                h2 { (cx.text(MessageId::YourSigningCertificates)) }
                ul class="certificates" id="certificates" {
                    @for (index, c) in certificates.iter().enumerate() {
                        li data-credential=(c.id) {
                            code class="credential" { (c.id) }
                            " "
                            span class="date" { (dated(cx, MessageId::SigningCertificateCreatedOn, c.created)) }
                            @match c.state {
                                CertificateState::Active => {
                                    (cx.form("revoke_signing_certificate", html! {
                                        input type="hidden" name="serial" value=(c.id);
                                        button type="submit" class="link" id=(format!("revoke_{index}")) {
                                            (cx.text(MessageId::RevokeSigningCertificate))
                                        }
                                    }))
                                }
                                CertificateState::Locked => {
                                    " " span class="status" { (cx.text(MessageId::SigningCertificateLocked)) }
                                    (cx.form("revoke_signing_certificate", html! {
                                        input type="hidden" name="serial" value=(c.id);
                                        button type="submit" class="link" id=(format!("revoke_{index}")) {
                                            (cx.text(MessageId::RevokeSigningCertificate))
                                        }
                                    }))
                                }
                                CertificateState::Revoked => {
                                    " " span class="status" { (cx.text(MessageId::SigningCertificateIsRevoked)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
