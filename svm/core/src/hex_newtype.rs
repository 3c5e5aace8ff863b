//! Hex `Display` and `Debug` for the byte-string newtypes (hashes, addresses, roots, keys).

/// Gives `$ty` (which must be `AsRef<[u8]>`) lowercase-hex `Display` and `$ty(hex)` `Debug`.
#[macro_export]
macro_rules! hex_newtype {
    ($ty:ident) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let bytes: &[u8] = ::std::convert::AsRef::<[u8]>::as_ref(self);
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
        }

        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, concat!(stringify!($ty), "({})"), self)
            }
        }
    };
}
