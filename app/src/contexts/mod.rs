pub mod consent;
