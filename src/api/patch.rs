//! JSON merge patch (RFC 7396) support for typed patch bodies.

use crate::i18n::Msg;
use serde::{Deserialize, Deserializer};

/// Deserializes a merge-patch member: absent → `None`, `null` → `Some(None)`,
/// a value → `Some(Some(value))`. Use with `#[serde(default)]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Applies one member of a patch to a required field: `null` is refused.
pub fn set_required<T>(
    target: &mut T,
    patch: Option<Option<T>>,
    field: &str,
    errors: &mut Vec<crate::error::FieldError>,
) {
    match patch {
        None => {}
        Some(Some(value)) => *target = value,
        Some(None) => errors.push(crate::error::FieldError::new(
            field,
            "required",
            Msg::FieldNotNull.with("field", field),
        )),
    }
}

/// Applies one member of a patch to a nullable field.
pub fn set_nullable<T>(target: &mut Option<T>, patch: Option<Option<T>>) {
    if let Some(value) = patch {
        *target = value;
    }
}
