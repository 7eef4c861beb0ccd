//! The demo's supporting documents, made in code so the repository holds no binary files: a
//! small wound photo (a PNG) and a one-page referral letter (a PDF), both valid files a
//! browser shows in the dashboard's preview.

/// A 160 × 100 PNG: skin tone, a dark red oval for the wound and a measuring strip below.
pub fn wound_photo() -> Vec<u8> {
    let (w, h) = (160u32, 100u32);
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            let (dx, dy) = (x as f32 - 80.0, y as f32 - 40.0);
            let rgb = if y >= 82 {
                // The strip: white with a black tick every 10 px (a longer one every 50).
                let tick = x % 10 == 0 && (y < 90 || x % 50 == 0);
                if tick { [20, 20, 20] } else { [250, 250, 250] }
            } else if (dx / 34.0).powi(2) + (dy / 20.0).powi(2) <= 1.0 {
                [140, 47, 57]
            } else if (dx / 42.0).powi(2) + (dy / 26.0).powi(2) <= 1.0 {
                [201, 120, 110]
            } else {
                [232, 196, 168]
            };
            raw.extend_from_slice(&rgb);
        }
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter, no interlace
    let mut png = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A one-page PDF 1.4 with a few lines of text (Helvetica, which every reader has).
pub fn referral_letter() -> Vec<u8> {
    let lines = [
        "Wound care referral (CareLine demo document)",
        "Right heel ulcer, 2.1 cm x 1.4 cm, no improvement after 4 weeks.",
        "Requested: advanced wound care dressings.",
        "Demo data only: not a real patient.",
    ];
    let mut text = String::from("BT /F1 14 Tf 72 720 Td 18 TL\n");
    for l in lines {
        text.push_str(&format!("({l}) Tj T*\n"));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        table.push_str(&format!("{o:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.extend_from_slice(table.as_bytes());
    pdf
}

/// One PNG chunk: length, type, data, CRC of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored (uncompressed) deflate blocks: valid, and no compressor needed.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        let last = u8::from(i + 1 == blocks.len());
        let len = block.len() as u16;
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_checksums_are_the_standard_ones() {
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
        // zlib's Adler-32 of "Wikipedia" is 0x11E60398.
        let z = super::zlib_stored(b"Wikipedia");
        assert_eq!(&z[z.len() - 4..], &0x11E6_0398u32.to_be_bytes());
    }

    #[test]
    fn the_files_start_as_their_types_must() {
        assert!(super::wound_photo().starts_with(&[0x89, b'P', b'N', b'G']));
        let pdf = super::referral_letter();
        assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
    }
}
