//! Signed access tokens (SPEC section 4): HS256 pinned, `iss`, `aud`, `exp`,
//! `nbf`, `kid` in the header, and rotation through a previous key whose
//! tokens stay valid until they expire.

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;

/// Issuer and audience written in and required of every token.
pub const ISSUER: &str = "party-registry";
pub const AUDIENCE: &str = "party-registry-api";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// `user:<id>` or `client:<id>`.
    pub sub: String,
    pub role: String,
    /// The organisation whose subtree the caller is bound to, if any.
    pub scope: Option<String>,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

/// The signing key and the keys tokens are accepted from.
pub struct Keys {
    kid: String,
    signing: EncodingKey,
    verifying: Vec<VerifyingKey>,
    validation: Validation,
    /// Tokens whose signature and claims have been checked, by their text. A
    /// client sends the same token on every request until it expires;
    /// checking it again (base64, two JSON parses, HMAC-SHA256) was a fifth
    /// of the instructions of GET /members/{id} (callgrind). Only the times
    /// can change a verified token's answer, and they are checked each time.
    verified: Mutex<HashMap<String, Claims>>,
}

/// Verified tokens kept at most; the cache starts over when full.
const VERIFIED_TOKENS_KEPT: usize = 10_000;

/// A key id every instance derives alike from the secret, without revealing it.
fn key_id(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    hex::encode(&digest[..8])
}

impl Keys {
    /// Keys from the current secret and, during a rotation, the previous one.
    pub fn new(current: &str, previous: Option<&str>) -> Self {
        let mut verifying = vec![VerifyingKey {
            kid: key_id(current),
            key: DecodingKey::from_secret(current.as_bytes()),
        }];
        if let Some(previous) = previous.filter(|p| !p.is_empty() && *p != current) {
            verifying.push(VerifyingKey {
                kid: key_id(previous),
                key: DecodingKey::from_secret(previous.as_bytes()),
            });
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        Self {
            kid: key_id(current),
            signing: EncodingKey::from_secret(current.as_bytes()),
            verifying,
            validation,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// Signs a token for `sub` valid for `ttl_seconds` from now.
    pub fn issue(
        &self,
        sub: String,
        role: &str,
        scope: Option<String>,
        ttl_seconds: i64,
    ) -> ApiResult<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub,
            role: role.to_owned(),
            scope,
            iat: now,
            nbf: now,
            exp: now + ttl_seconds,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        encode(&header, &claims, &self.signing)
            .map_err(|e| ApiError::Internal(format!("jwt encode: {e}")))
    }

    /// Verifies signature, algorithm, key id and every time and party claim.
    pub fn verify(&self, token: &str) -> ApiResult<Claims> {
        let now = chrono::Utc::now().timestamp();
        if let Some(claims) = self.already_verified(token, now) {
            return Ok(claims);
        }
        let claims = self.check(token)?;
        if let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= VERIFIED_TOKENS_KEPT {
                verified.clear();
            }
            verified.insert(token.to_owned(), claims.clone());
        }
        Ok(claims)
    }

    /// The claims of a token verified before, if it is still within its
    /// validity period (with the same leeway as a full check).
    fn already_verified(&self, token: &str, now: i64) -> Option<Claims> {
        let verified = self.verified.lock().ok()?;
        let claims = verified.get(token)?;
        let leeway = self.validation.leeway as i64;
        (claims.nbf - leeway <= now && now <= claims.exp + leeway).then(|| claims.clone())
    }

    /// The full check: signature, algorithm, key id and claims.
    fn check(&self, token: &str) -> ApiResult<Claims> {
        let invalid = || ApiError::Unauthenticated(Msg::TokenInvalid);
        let header = decode_header(token).map_err(|_| invalid())?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid());
        }
        let kid = header.kid.ok_or_else(invalid)?;
        let key = self
            .verifying
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(invalid)?;
        decode::<Claims>(token, &key.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_verifies() {
        let keys = Keys::new("secret-one", None);
        let token = keys
            .issue("user:1".into(), "admin", None, 60)
            .expect("token");
        assert_eq!(keys.verify(&token).expect("valid").sub, "user:1");
    }

    #[test]
    fn a_token_of_the_previous_key_stays_valid_after_rotation() {
        let old = Keys::new("secret-one", None);
        let token = old
            .issue("user:1".into(), "admin", None, 60)
            .expect("token");
        let rotated = Keys::new("secret-two", Some("secret-one"));
        assert!(rotated.verify(&token).is_ok());
        assert!(Keys::new("secret-two", None).verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = Keys::new("secret-one", None);
        let token = keys
            .issue("user:1".into(), "admin", None, -60)
            .expect("token");
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn a_remembered_token_is_refused_once_it_expires() {
        let keys = Keys::new("secret-one", None);
        let token = keys
            .issue("user:1".into(), "admin", None, 60)
            .expect("token");
        let now = chrono::Utc::now().timestamp();
        assert!(keys.verify(&token).is_ok());
        assert!(keys.already_verified(&token, now).is_some());
        assert!(keys.already_verified(&token, now + 3600).is_none());
        assert!(keys.already_verified("another.token.text", now).is_none());
    }
}
