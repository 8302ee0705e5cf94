//! Times in the stored JSON as seconds since the epoch.

use tollgate_otp::UnixTime;

pub(crate) fn serialize<S: serde::Serializer>(time: &UnixTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(time.as_secs())
}

pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<UnixTime, D::Error> {
    let secs: u64 = serde::Deserialize::deserialize(d)?;
    Ok(UnixTime::from_secs(secs))
}
