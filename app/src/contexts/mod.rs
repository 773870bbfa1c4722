pub mod consent;
mod lifetime;
