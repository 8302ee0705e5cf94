//! What a stored PIN proves.

use serde::{Deserialize, Serialize};

/// What a one-time PIN proves, in which flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PinPurpose {
    /// A first login's second factor, after the password: enrollment next.
    #[default]
    FirstLogin,
    /// A password reset's second factor, after the authenticator's code.
    ResetAfterToken,
    /// A reset without the authenticator: the first of two PINs by independent channels.
    ResetFirstOfTwo,
    /// The second of the two, by the channel the first did not use.
    ResetSecondOfTwo,
    /// A lost token's replacement, after the password and a recovery code.
    ReplaceToken,
}

impl PinPurpose {
    /// Whether the PIN is part of a password reset.
    pub(crate) fn is_reset(self) -> bool {
        matches!(
            self,
            Self::ResetAfterToken | Self::ResetFirstOfTwo | Self::ResetSecondOfTwo
        )
    }
}
