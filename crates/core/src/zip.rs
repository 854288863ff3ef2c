//! A ZIP archive of files kept as they are (method 0, "stored"): how the
//! app hands over a specification split over several files as one
//! download, their folders kept so that the references between them still
//! resolve once unpacked.
//!
//! Written from PKWARE's APPNOTE (sections 4.3 and 4.4): a local header
//! and the bytes of each file, the central directory, its end record.
//! Names are UTF-8 (general purpose flag bit 11); the times are the DOS
//! epoch (1980-01-01 00:00), since the files' own are not kept. No ZIP64: a
//! specification is at most 50 MiB, far below the 4 GiB of 32-bit sizes,
//! and at most 100 files; an archive beyond either limit is refused.

/// A file of the archive: its path inside it (`schemas/pet.yaml`) and bytes.
pub struct Entry<'a> {
    /// Its path inside the archive, with `/` separators.
    pub name: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
}

/// Why an archive could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipError {
    /// More than 65,535 files, or more than 4 GiB in all.
    TooLarge,
    /// A name longer than 65,535 bytes.
    NameTooLong,
}

impl std::fmt::Display for ZipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ZipError::TooLarge => "too many files, or too large, for a ZIP archive",
            ZipError::NameTooLong => "a file name is too long for a ZIP archive",
        })
    }
}

impl std::error::Error for ZipError {}

/// A ZIP archive of `entries`, in their order, stored uncompressed.
pub fn stored(entries: &[Entry<'_>]) -> Result<Vec<u8>, ZipError> {
    let count = u16::try_from(entries.len()).map_err(|_| ZipError::TooLarge)?;
    let mut out: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    for entry in entries {
        let name = entry.name.as_bytes();
        let name_len = u16::try_from(name.len()).map_err(|_| ZipError::NameTooLong)?;
        let size = u32::try_from(entry.bytes.len()).map_err(|_| ZipError::TooLarge)?;
        let offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge)?;
        let crc = crc32(entry.bytes);
        // Local file header.
        put32(&mut out, 0x0403_4b50);
        put16(&mut out, 10); // version needed: 1.0 (stored)
        put16(&mut out, 1 << 11); // UTF-8 names
        put16(&mut out, 0); // method: stored
        put16(&mut out, 0); // time 00:00
        put16(&mut out, DOS_1980_01_01);
        put32(&mut out, crc);
        put32(&mut out, size);
        put32(&mut out, size);
        put16(&mut out, name_len);
        put16(&mut out, 0); // no extra field
        out.extend_from_slice(name);
        out.extend_from_slice(entry.bytes);
        // Its central directory header.
        put32(&mut central, 0x0201_4b50);
        put16(&mut central, 20); // made by: 2.0, MS-DOS attributes
        put16(&mut central, 10);
        put16(&mut central, 1 << 11);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, DOS_1980_01_01);
        put32(&mut central, crc);
        put32(&mut central, size);
        put32(&mut central, size);
        put16(&mut central, name_len);
        put16(&mut central, 0); // extra
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        put32(&mut central, 0); // external attributes
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge)?;
    let central_size = u32::try_from(central.len()).map_err(|_| ZipError::TooLarge)?;
    out.extend_from_slice(&central);
    // End of central directory.
    put32(&mut out, 0x0605_4b50);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, central_size);
    put32(&mut out, central_offset);
    put16(&mut out, 0);
    Ok(out)
}

/// 1980-01-01 as a DOS date: (year - 1980) << 9 | month << 5 | day.
const DOS_1980_01_01: u16 = (1 << 5) | 1;

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// CRC-32 as ZIP (and gzip, PNG) computes it: polynomial 0xEDB88320,
/// reflected, starting and ending with all bits inverted.
pub fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for b in bytes {
        crc = TABLE[((crc ^ u32::from(*b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(b: &[u8], at: usize) -> usize {
        usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
    }

    fn u32_at(b: &[u8], at: usize) -> usize {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
    }

    #[test]
    fn crc32_is_the_standard_one() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"hello"), 0x3610_a686);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    /// Reads the archive back the way an unzip program does: from the end
    /// record to the central directory to each local header and its bytes.
    #[test]
    fn an_archive_reads_back_by_its_central_directory() {
        let files = [
            Entry {
                name: "openapi.yaml",
                bytes: b"openapi: 3.0.3\n",
            },
            Entry {
                name: "schemas/pet.yaml",
                bytes: b"Pet: {type: object}\n",
            },
            Entry {
                name: "empty.yaml",
                bytes: b"",
            },
        ];
        let zip = stored(&files).unwrap();
        let end = zip.len() - 22;
        assert_eq!(u32_at(&zip, end), 0x0605_4b50);
        assert_eq!(u16_at(&zip, end + 10), 3);
        let mut at = u32_at(&zip, end + 16);
        assert_eq!(at + u32_at(&zip, end + 12), end);
        for f in &files {
            assert_eq!(u32_at(&zip, at), 0x0201_4b50);
            let size = u32_at(&zip, at + 24);
            let name_len = u16_at(&zip, at + 28);
            let local = u32_at(&zip, at + 42);
            assert_eq!(&zip[at + 46..at + 46 + name_len], f.name.as_bytes());
            assert_eq!(u32_at(&zip, at + 16), crc32(f.bytes) as usize);
            // The local header names the same file, and its bytes follow.
            assert_eq!(u32_at(&zip, local), 0x0403_4b50);
            assert_eq!(u16_at(&zip, local + 26), name_len);
            let data = local + 30 + name_len;
            assert_eq!(&zip[data..data + size], f.bytes);
            at += 46 + name_len;
        }
    }

    #[test]
    fn limits_are_refused() {
        let long = "x".repeat(70_000);
        assert_eq!(
            stored(&[Entry {
                name: &long,
                bytes: b""
            }]),
            Err(ZipError::NameTooLong)
        );
    }
}
