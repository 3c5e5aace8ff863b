//! The `extern "C"` entry points, one file per concern. Every one returns a status code (`SVM_OK` or
//! an `SVM_ERR_*`), takes inputs as (pointer, length), writes its outputs through out-pointers it
//! checks for null, and takes last an optional `error` buffer that receives the message on failure.

pub mod apply;
pub mod events;
pub mod json;
pub mod layers;
pub mod lifecycle;
pub mod reads;
