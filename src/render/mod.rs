//! Rendering: Fluent resolves the words, a handlebars layout per platform arranges them, and
//! the platform's limits are checked. Broadcast content never varies per recipient, so each
//! (message, variant, locale, platform) is rendered once and reused for every recipient.

mod bidi;
mod compiled_layout_depth;
mod layout;
mod layout_bounds;
mod limits;
mod matrix;
mod renderer;
mod tracking;

pub use bidi::{RIGHT_TO_LEFT_MARK, apply_direction};
pub use layout::{LayoutSource, Layouts};
pub use layout_bounds::{MAX_BLOCK_DEPTH, MAX_EXPRESSION_DEPTH, MAX_LAYOUT_BYTES};
pub use limits::{MAX_RENDERED_BYTES, measure, platform_limit};
pub use matrix::{Combination, PreviewFilter, PreviewItem, combinations, preview_items};
pub use renderer::{LINK_PLACEHOLDER, RenderError, RenderKey, Rendered, Renderer, render_uncached};
pub use tracking::{
    LinkDimensions, TOKEN_LENGTH, legacy_tracking_token, tracking_token, tracking_url,
};
