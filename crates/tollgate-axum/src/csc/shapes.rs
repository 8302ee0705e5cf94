//! The JSON shapes of the two versions: what a request names where, and what an answer says.
//! Version 1.0.4.0 names hashes `hash` (their algorithm only at `signHash`, as `hashAlgo`; at
//! `authorize` it follows from their length) and the code `OTP`; version 2.0.0.2 names them
//! `hashes` with `hashAlgorithmOID`, and the code in `authData`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use tollgate::sign::{
    HashAlgorithm, KeyAlgorithm, MAX_HASHES, SignAlgorithm, SignatureRequest, Status,
};
use tollgate::signing::CredentialInfo;

use super::{CscError, SignHash, from_request, string_field};

/// Which version a route speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    V1,
    V2,
}

impl Version {
    pub(crate) fn of(number: u8) -> Self {
        if number == 2 { Self::V2 } else { Self::V1 }
    }
}

const METHODS: [&str; 7] = [
    "info",
    "auth/login",
    "auth/revoke",
    "credentials/list",
    "credentials/info",
    "credentials/authorize",
    "signatures/signHash",
];

/// `info`'s answer.
pub(crate) fn info(version: Version, base: &str) -> Value {
    let algos: Vec<&str> = SignAlgorithm::ALL.iter().map(|a| a.oid()).collect();
    let mut info = json!({
        "specs": if version == Version::V1 { "1.0.4.0" } else { "2.0.0.2" },
        "name": "tollgate",
        "logo": format!("{base}style.css"),
        "region": "",
        "lang": "en-US",
        "description": "Remote signing authorized by the second factor (SCAL2)",
        "authType": ["basic"],
        "methods": METHODS,
    });
    if version == Version::V2
        && let Some(map) = info.as_object_mut()
    {
        map.insert("signAlgorithms".into(), json!({"algos": algos}));
    }
    info
}

fn flag(map: &Map<String, Value>, name: &str) -> Result<bool, CscError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(CscError::invalid_request(format!(
            "Invalid parameter {name}"
        ))),
    }
}

/// `credentials/list`'s answer (v2 adds each credential's information when asked).
pub(crate) fn list(version: Version, map: &Map<String, Value>, all: &[CredentialInfo]) -> Value {
    let ids: Vec<String> = all.iter().map(|c| c.credential.id().to_string()).collect();
    let mut body = json!({"credentialIDs": ids});
    if version == Version::V2
        && flag(map, "credentialInfo").unwrap_or(false)
        && let Some(object) = body.as_object_mut()
    {
        let infos: Vec<Value> = all
            .iter()
            .filter_map(|c| {
                let mut info = credential_info(version, map, c).ok()?;
                info.as_object_mut()?
                    .insert("credentialID".into(), json!(c.credential.id().to_string()));
                Some(info)
            })
            .collect();
        object.insert("credentialInfos".into(), json!(infos));
    }
    body
}

/// `credentials/info`'s answer.
pub(crate) fn credential_info(
    version: Version,
    map: &Map<String, Value>,
    info: &CredentialInfo,
) -> Result<Value, CscError> {
    let credential = &info.credential;
    let chain: Vec<String> = match string_field(map, "certificates")?.unwrap_or("single") {
        "none" => Vec::new(),
        "single" => credential
            .certificates()
            .iter()
            .take(1)
            .map(|c| STANDARD.encode(c))
            .collect(),
        "chain" => credential
            .certificates()
            .iter()
            .map(|c| STANDARD.encode(c))
            .collect(),
        _ => return Err(CscError::invalid_request("Invalid parameter certificates")),
    };
    flag(map, "certInfo")?;
    flag(map, "authInfo")?;
    let KeyAlgorithm::EcdsaP256 = credential.key_algorithm() else {
        return Err(CscError::service());
    };
    let algorithm = credential.key_algorithm();
    let algos: Vec<&str> = algorithm
        .sign_algorithms()
        .iter()
        .map(|a| a.oid())
        .collect();
    let active = credential.status() == Status::Active;
    let revoked = matches!(credential.status(), Status::Revoked { .. });
    let otp = json!({
        "presence": "true",
        "type": "offline",
        "format": "N",
        "label": "Token code",
        "description": "The code your soft token shows now",
        "ID": "OTP",
        "provider": "tollgate",
        "generator": "totp",
    });
    let mut body = json!({
        "description": credential.description(),
        "key": {
            "status": if active { "enabled" } else { "disabled" },
            "algo": algos,
            "len": algorithm.bits(),
            "curve": algorithm.curve_oid(),
        },
        "cert": {
            "status": if revoked { "revoked" } else { "valid" },
            "certificates": chain,
        },
        "SCAL": "2",
        "multisign": MAX_HASHES,
        "lang": "en-US",
    });
    if let Some(object) = body.as_object_mut() {
        match version {
            Version::V1 => {
                object.insert("authMode".into(), json!("explicit"));
                object.insert("PIN".into(), json!({"presence": "false"}));
                object.insert("OTP".into(), otp);
            }
            Version::V2 => {
                object.insert(
                    "auth".into(),
                    json!({
                        "mode": "explicit",
                        "expression": "OTP",
                        "objects": [{
                            "type": "OTP",
                            "id": "OTP",
                            "format": "N",
                            "label": "Token code",
                            "description": "The code your soft token shows now",
                            "generator": "totp",
                        }],
                    }),
                );
            }
        }
    }
    Ok(body)
}

/// The hashes of a request, as strings.
fn hashes(map: &Map<String, Value>, name: &str) -> Result<Vec<String>, CscError> {
    let Some(Value::Array(items)) = map.get(name) else {
        return Err(CscError::invalid_request(format!(
            "Missing (or invalid type) array parameter {name}"
        )));
    };
    if items.len() > MAX_HASHES {
        return Err(from_request(tollgate::sign::RequestError::TooManyHashes {
            max: MAX_HASHES,
        }));
    }
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(CscError::invalid_request(format!(
                "Invalid parameter {name}"
            ))),
        })
        .collect()
}

fn hash_algorithm(map: &Map<String, Value>, name: &str) -> Result<Option<HashAlgorithm>, CscError> {
    string_field(map, name)?
        .map(HashAlgorithm::from_oid)
        .transpose()
        .map_err(from_request)
}

/// The algorithm of v1's hashes at `authorize`: from their length (SHA-256, -384 and -512
/// digests are 32, 48 and 64 bytes).
fn by_length(hashes: &[String]) -> Result<HashAlgorithm, CscError> {
    let first = hashes
        .first()
        .and_then(|h| STANDARD.decode(h).ok())
        .ok_or_else(|| CscError::invalid_request("Invalid parameter hash"))?;
    HashAlgorithm::ALL
        .into_iter()
        .find(|a| a.digest_len() == first.len())
        .ok_or_else(|| CscError::invalid_request("Invalid parameter hash"))
}

/// `credentials/authorize`'s request: what to authorize, and the code.
pub(crate) fn authorize_request(
    version: Version,
    map: &Map<String, Value>,
) -> Result<(SignatureRequest, String), CscError> {
    let count = match map.get("numSignatures") {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| CscError::invalid_request("Invalid parameter numSignatures"))?,
        _ => {
            return Err(CscError::invalid_request(
                "Missing (or invalid type) integer parameter numSignatures",
            ));
        }
    };
    let description = string_field(map, "description")?;
    let (hashes, algorithm, otp) = match version {
        Version::V1 => {
            let hashes = hashes(map, "hash")?;
            let algorithm = by_length(&hashes)?;
            let otp = string_field(map, "OTP")?.map(str::to_owned);
            (hashes, algorithm, otp)
        }
        Version::V2 => {
            let hashes = hashes(map, "hashes")?;
            let algorithm = hash_algorithm(map, "hashAlgorithmOID")?.ok_or_else(|| {
                CscError::invalid_request(
                    "Missing (or invalid type) string parameter hashAlgorithmOID",
                )
            })?;
            let otp = match map.get("authData") {
                Some(Value::Array(items)) => items.iter().find_map(|item| {
                    let item = item.as_object()?;
                    (item.get("id")?.as_str()? == "OTP")
                        .then(|| item.get("value")?.as_str().map(str::to_owned))?
                }),
                None => None,
                Some(_) => return Err(CscError::invalid_request("Invalid parameter authData")),
            };
            (hashes, algorithm, otp)
        }
    };
    let otp = otp.ok_or_else(|| {
        CscError::invalid_request("Missing (or invalid type) string parameter OTP")
    })?;
    let request =
        SignatureRequest::new(algorithm, &hashes, count, description).map_err(from_request)?;
    Ok((request, otp))
}

/// `signatures/signHash`'s request.
pub(crate) fn sign_hash_request(
    version: Version,
    map: &Map<String, Value>,
) -> Result<SignHash, CscError> {
    let (hashes, hash) = match version {
        Version::V1 => (hashes(map, "hash")?, hash_algorithm(map, "hashAlgo")?),
        Version::V2 => (
            hashes(map, "hashes")?,
            hash_algorithm(map, "hashAlgorithmOID")?,
        ),
    };
    let sign = string_field(map, "signAlgo")?.ok_or_else(|| {
        CscError::invalid_request("Missing (or invalid type) string parameter signAlgo")
    })?;
    // Without a hash algorithm, the signature algorithm names it (ecdsa-with-SHA256, …).
    let hash = match hash {
        Some(hash) => hash,
        None => SignAlgorithm::ALL
            .into_iter()
            .find(|a| a.oid() == sign)
            .map(SignAlgorithm::hash)
            .ok_or_else(|| {
                CscError::invalid_request("Missing (or invalid type) string parameter hashAlgo")
            })?,
    };
    let algorithm = SignAlgorithm::from_oid(sign, hash).map_err(from_request)?;
    Ok(SignHash {
        hash,
        algorithm,
        hashes,
    })
}
