//! Conversion of [`FieldValue`]s back into typed placeholder values, for generated
//! `from_fields`.

use super::entry::FieldValue;

/// A placeholder type that can be read back from a [`FieldValue`].
pub trait FromFieldValue: Sized {
    /// The value, when it fits the type.
    fn from_field_value(value: &FieldValue<'_>) -> Option<Self>;
}

macro_rules! from_int_field_value {
    ($($ty:ty),*) => {$(
        impl FromFieldValue for $ty {
            fn from_field_value(value: &FieldValue<'_>) -> Option<Self> {
                match *value {
                    FieldValue::Int(v) => <$ty>::try_from(v).ok(),
                    FieldValue::UInt(v) => <$ty>::try_from(v).ok(),
                    FieldValue::Text(_) => None,
                }
            }
        }
    )*};
}
from_int_field_value!(i32, i64, u16, u32, u64);

impl FromFieldValue for String {
    fn from_field_value(value: &FieldValue<'_>) -> Option<Self> {
        match value {
            FieldValue::Text(text) => Some((*text).to_owned()),
            FieldValue::Int(_) | FieldValue::UInt(_) => None,
        }
    }
}
