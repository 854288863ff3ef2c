//! Any bytes, as one file and as a specification split over two files, with
//! the default options and with a configuration: the loader never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prescan_core::{convert, convert_files, ConvertOptions, HarStyle, SourceFile};

fuzz_target!(|data: &[u8]| {
    let _ = convert("fuzz.yaml", data, &ConvertOptions::default());

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let cut = (selector as usize * rest.len()) / 256;
    let (root, other) = rest.split_at(cut);
    let files = [
        SourceFile { name: "api/openapi.yaml".into(), bytes: root.to_vec() },
        SourceFile { name: "api/schemas/pet.yaml".into(), bytes: other.to_vec() },
    ];
    let mut options = ConvertOptions {
        har_style: if selector & 1 == 0 { HarStyle::Concrete } else { HarStyle::Veracode },
        server: Some(usize::from(selector >> 5)),
        ..ConvertOptions::default()
    };
    if selector & 2 != 0 {
        options.base_url = Some("https://fuzz.example/v1".into());
        options.auth.bearer = Some("token".into());
        options.auth.custom_headers.push(("X-Fuzz".into(), "1".into()));
    }
    let _ = convert_files(&files, &options);
});
