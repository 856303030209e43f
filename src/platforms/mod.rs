//! Partner platforms. Each one will get an adapter file here behind one trait; for now this
//! names the platforms and what their text looks like, which rendering and validation need.

mod platform;

pub use platform::{ChannelRef, Platform, TextFormat, is_simple_name};
