//! Serde support for `[E; N]` with a const-generic `N` (serde itself covers fixed lengths only), without
//! allocation.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{Error, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serialises the array as a sequence.
pub(crate) fn serialize<S: Serializer, E: Serialize, const N: usize>(a: &[E; N], s: S) -> Result<S::Ok, S::Error> {
    let mut t = s.serialize_tuple(N)?;
    for e in a {
        t.serialize_element(e)?;
    }
    t.end()
}

struct ArrayVisitor<E, const N: usize>(PhantomData<E>);

impl<'de, E: Deserialize<'de> + Copy, const N: usize> Visitor<'de> for ArrayVisitor<E, N> {
    type Value = [E; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {N} elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut slots: [Option<E>; N] = [None; N];
        for (i, slot) in slots.iter_mut().enumerate() {
            *slot = Some(seq.next_element()?.ok_or_else(|| A::Error::invalid_length(i, &self))?);
        }
        if seq.next_element::<E>()?.is_some() {
            return Err(A::Error::invalid_length(N + 1, &self));
        }
        let Some(Some(first)) = slots.first().copied() else {
            return Err(A::Error::invalid_length(0, &self));
        };
        let mut out = [first; N];
        for (o, s) in out.iter_mut().zip(slots.iter()) {
            if let Some(v) = s {
                *o = *v;
            }
        }
        Ok(out)
    }
}

/// Deserialises an array of exactly `N` elements.
pub(crate) fn deserialize<'de, D: Deserializer<'de>, E: Deserialize<'de> + Copy, const N: usize>(
    d: D,
) -> Result<[E; N], D::Error> {
    d.deserialize_tuple(N, ArrayVisitor::<E, N>(PhantomData))
}
