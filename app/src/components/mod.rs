pub mod banner;
