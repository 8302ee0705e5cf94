//! One `Debug` for every secret and key type of the workspace: the type's name and
//! `<redacted>`, with the fields that are no secret after it when a type has some
//! (`LoginKey(<redacted>, generation 3)`). Written once here, as oauth2-rs writes its
//! `new_secret_type!`, instead of by hand beside each type.

/// Implements `Debug` for a secret type as `Name(<redacted>)`, or `Name(<redacted>, …)` with a
/// format string and the fields (of `self`) that are no secret.
///
/// ```
/// struct Token([u8; 32], u32);
/// tollgate_otp::redacted_debug!(Token, "generation {}", 1);
/// assert_eq!(format!("{:?}", Token([7; 32], 3)), "Token(<redacted>, generation 3)");
/// ```
#[macro_export]
macro_rules! redacted_debug {
    ($type:ident) => {
        impl ::core::fmt::Debug for $type {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(::core::concat!(::core::stringify!($type), "(<redacted>)"))
            }
        }
    };
    ($type:ident, $format:literal $(, $field:tt)+) => {
        impl ::core::fmt::Debug for $type {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::write!(
                    f,
                    ::core::concat!(::core::stringify!($type), "(<redacted>, ", $format, ")")
                    $(, self.$field)+
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    struct Key(#[expect(dead_code, reason = "the secret the Debug must not show")] [u8; 4]);
    crate::redacted_debug!(Key);

    struct Ring {
        _secret: [u8; 4],
        id: u32,
    }
    crate::redacted_debug!(Ring, "id {}", id);

    #[test]
    fn the_secret_never_shows() {
        assert_eq!(format!("{:?}", Key(*b"abcd")), "Key(<redacted>)");
        let ring = Ring {
            _secret: *b"abcd",
            id: 9,
        };
        assert_eq!(format!("{ring:?}"), "Ring(<redacted>, id 9)");
        assert!(!format!("{:#?}", Key(*b"abcd")).contains("abcd"));
    }
}
