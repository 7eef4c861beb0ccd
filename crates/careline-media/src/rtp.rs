//! RTP packets (RFC 3550 §5.1): reading a caller's packets, whatever extensions and CSRCs they
//! carry, and writing ours. Only the fixed header matters to a G.711 call; RTCP is not used.

/// The fixed header fields a phone call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
}

/// A parsed packet; `payload` borrows the datagram, padding removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub header: RtpHeader,
    pub payload: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtpError {
    /// Shorter than the headers it declares.
    TooShort(usize),
    /// Not RTP version 2 (STUN, ZRTP or garbage on the media port).
    Version(u8),
    /// The padding count is zero or larger than the payload.
    Padding,
    /// Payload types 72–76 collide with RTCP packet types (RFC 5761 §4): not for us.
    Rtcp,
}

impl std::fmt::Display for RtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RtpError::TooShort(n) => write!(f, "RTP packet too short ({n} bytes)"),
            RtpError::Version(v) => write!(f, "RTP version {v} (expected 2)"),
            RtpError::Padding => f.write_str("RTP padding count is invalid"),
            RtpError::Rtcp => f.write_str("an RTCP packet on the RTP port"),
        }
    }
}

pub const HEADER_LEN: usize = 12;

/// Read one datagram from the media port.
pub fn parse(buf: &[u8]) -> Result<RtpPacket<'_>, RtpError> {
    if buf.len() < HEADER_LEN {
        return Err(RtpError::TooShort(buf.len()));
    }
    let version = buf[0] >> 6;
    if version != 2 {
        return Err(RtpError::Version(version));
    }
    let padding = buf[0] & 0x20 != 0;
    let extension = buf[0] & 0x10 != 0;
    let csrc_count = usize::from(buf[0] & 0x0F);
    let marker = buf[1] & 0x80 != 0;
    let payload_type = buf[1] & 0x7F;
    if (72..=76).contains(&payload_type) {
        return Err(RtpError::Rtcp);
    }
    let mut start = HEADER_LEN + 4 * csrc_count;
    if extension {
        // 16-bit profile, 16-bit length in 32-bit words, then the words (RFC 3550 §5.3.1).
        let ext = buf
            .get(start..start + 4)
            .ok_or(RtpError::TooShort(buf.len()))?;
        let words = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
        start += 4 + 4 * words;
    }
    let mut end = buf.len();
    if start > end {
        return Err(RtpError::TooShort(buf.len()));
    }
    if padding {
        let pad = usize::from(buf[end - 1]);
        if pad == 0 || pad > end - start {
            return Err(RtpError::Padding);
        }
        end -= pad;
    }
    Ok(RtpPacket {
        header: RtpHeader {
            marker,
            payload_type,
            sequence: u16::from_be_bytes([buf[2], buf[3]]),
            timestamp: u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]),
            ssrc: u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]),
        },
        payload: &buf[start..end],
    })
}

impl RtpHeader {
    /// Append the 12-byte header (no CSRCs, extension or padding).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(0x80);
        out.push((if self.marker { 0x80 } else { 0 }) | (self.payload_type & 0x7F));
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_headers_read_back() {
        let h = RtpHeader {
            marker: true,
            payload_type: 101,
            sequence: 65535,
            timestamp: 0xDEAD_BEEF,
            ssrc: 42,
        };
        let mut buf = Vec::new();
        h.write(&mut buf);
        buf.extend_from_slice(&[1, 2, 3]);
        let p = parse(&buf).unwrap();
        assert_eq!(p.header, h);
        assert_eq!(p.payload, &[1, 2, 3]);
    }

    #[test]
    fn csrcs_extension_and_padding_are_skipped() {
        let mut buf = vec![0x80 | 0x20 | 0x10 | 2, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7];
        buf.extend_from_slice(&[0; 8]); // two CSRCs
        buf.extend_from_slice(&[0xBE, 0xDE, 0, 1, 9, 9, 9, 9]); // one-word extension
        buf.extend_from_slice(&[0xAA, 0xBB]);
        buf.extend_from_slice(&[0, 0, 3]); // three bytes of padding
        let p = parse(&buf).unwrap();
        assert_eq!(p.payload, &[0xAA, 0xBB]);
        assert_eq!(p.header.timestamp, 160);
    }

    #[test]
    fn bad_packets_are_errors() {
        assert_eq!(parse(&[0x80; 5]), Err(RtpError::TooShort(5)));
        assert_eq!(parse(&[0x40; 12]), Err(RtpError::Version(1)));
        let mut rtcp = vec![0x80, 200];
        rtcp.extend_from_slice(&[0; 10]);
        assert_eq!(parse(&rtcp), Err(RtpError::Rtcp));
        // Padding longer than the payload.
        let mut pad = vec![0xA0, 0];
        pad.extend_from_slice(&[0; 10]);
        pad.push(200);
        assert_eq!(parse(&pad), Err(RtpError::Padding));
        // An extension running past the end.
        let mut ext = vec![0x90, 0];
        ext.extend_from_slice(&[0; 10]);
        ext.extend_from_slice(&[0xBE, 0xDE, 0xFF, 0xFF]);
        assert!(matches!(parse(&ext), Err(RtpError::TooShort(_))));
    }
}
