//! The SDP offer/answer for a phone call (RFC 3264): from a caller's offer, pick G.711 (in
//! our order of preference, among what they offer) and RFC 4733 telephone-events, learn where
//! to send RTP and in which direction, and write the answer. An offer without G.711 has no
//! codec in common: the SIP layer answers 488. For an INVITE without an offer, [`offer`] writes
//! ours and [`negotiate`] reads the caller's answer.

use crate::g711::Law;
use std::io::Cursor;
use std::net::{IpAddr, SocketAddr};

/// What was agreed for the call's audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub law: Law,
    /// The payload type the caller uses for G.711 (0 or 8, unless they remapped it).
    pub payload_type: u8,
    /// The caller's telephone-event payload type, when they offered one at 8 kHz.
    pub dtmf_payload_type: Option<u8>,
    /// Where to send RTP. `None` when the caller put the stream on hold with address 0.0.0.0
    /// or port 0.
    pub remote: Option<SocketAddr>,
    /// The caller's direction (sendrecv, sendonly for hold, …).
    pub direction: Direction,
    /// Milliseconds of audio per packet the caller asked for (20 when not said).
    pub ptime: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Our direction in the answer: the mirror of theirs (RFC 3264 §6.1).
    pub fn answer(self) -> Direction {
        match self {
            Direction::SendRecv => Direction::SendRecv,
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            Direction::Inactive => Direction::Inactive,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdpError {
    /// Not parseable SDP (answer 400).
    Malformed(String),
    /// No audio stream over RTP/AVP (answer 488).
    NoAudio,
    /// Audio, but neither PCMU nor PCMA (answer 488).
    NoCommonCodec,
}

impl std::fmt::Display for SdpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SdpError::Malformed(m) => write!(f, "malformed SDP: {m}"),
            SdpError::NoAudio => f.write_str("no RTP/AVP audio stream offered"),
            SdpError::NoCommonCodec => f.write_str("no codec in common (PCMU or PCMA needed)"),
        }
    }
}

/// An offer's largest sensible size: SIP over UDP rarely carries more than a few KiB.
const MAX_OFFER: usize = 16 * 1024;

/// Read an offer and choose what to use. `prefer` lists the laws in our order of preference.
pub fn negotiate(offer: &str, prefer: &[Law]) -> Result<Negotiated, SdpError> {
    if offer.len() > MAX_OFFER {
        return Err(SdpError::Malformed("larger than 16 KiB".into()));
    }
    let desc = ::sdp::SessionDescription::unmarshal(&mut Cursor::new(offer.as_bytes()))
        .map_err(|e| SdpError::Malformed(e.to_string()))?;
    let media = desc
        .media_descriptions
        .iter()
        .find(|m| {
            m.media_name.media == "audio"
                && m.media_name.protos.join("/") == "RTP/AVP"
                && m.media_name.port.value >= 0
        })
        .ok_or(SdpError::NoAudio)?;
    // Payload types the caller maps with a=rtpmap, and the static ones they list.
    let rtpmaps: Vec<(u8, String, u32)> = media
        .attributes
        .iter()
        .filter(|a| a.key == "rtpmap")
        .filter_map(|a| parse_rtpmap(a.value.as_deref()?))
        .collect();
    let listed: Vec<u8> = media
        .media_name
        .formats
        .iter()
        .filter_map(|f| f.parse().ok())
        .collect();
    let codec_of = |pt: u8| -> Option<(String, u32)> {
        rtpmaps
            .iter()
            .find(|(p, _, _)| *p == pt)
            .map(|(_, n, r)| (n.to_ascii_uppercase(), *r))
            .or(match pt {
                0 => Some(("PCMU".into(), 8000)),
                8 => Some(("PCMA".into(), 8000)),
                _ => None,
            })
    };
    let mut chosen = None;
    'outer: for law in prefer {
        let name = match law {
            Law::Ulaw => "PCMU",
            Law::Alaw => "PCMA",
        };
        for &pt in &listed {
            if codec_of(pt).is_some_and(|(n, r)| n == name && r == 8000) {
                chosen = Some((*law, pt));
                break 'outer;
            }
        }
    }
    let (law, payload_type) = chosen.ok_or(SdpError::NoCommonCodec)?;
    let dtmf_payload_type = listed
        .iter()
        .copied()
        .find(|&pt| codec_of(pt).is_some_and(|(n, r)| n == "TELEPHONE-EVENT" && r == 8000));
    let address = media
        .connection_information
        .as_ref()
        .or(desc.connection_information.as_ref())
        .and_then(|c| c.address.as_ref())
        .and_then(|a| a.address.parse::<IpAddr>().ok());
    let port = u16::try_from(media.media_name.port.value).unwrap_or(0);
    let remote = match address {
        Some(ip) if !ip.is_unspecified() && port != 0 => Some(SocketAddr::new(ip, port)),
        _ => None,
    };
    let has =
        |key: &str| media.attribute(key).is_some() || desc.attributes.iter().any(|a| a.key == key);
    let direction = if has("sendonly") {
        Direction::SendOnly
    } else if has("recvonly") {
        Direction::RecvOnly
    } else if has("inactive") {
        Direction::Inactive
    } else {
        Direction::SendRecv
    };
    let ptime = media
        .attribute("ptime")
        .flatten()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|p| (10..=60).contains(p) && p % 10 == 0)
        .unwrap_or(20);
    Ok(Negotiated {
        law,
        payload_type,
        dtmf_payload_type,
        remote,
        direction,
        ptime,
    })
}

/// `a=rtpmap:<pt> <name>/<rate>[/<channels>]`
fn parse_rtpmap(value: &str) -> Option<(u8, String, u32)> {
    let (pt, rest) = value.trim().split_once(' ')?;
    let mut parts = rest.trim().split('/');
    let name = parts.next()?.to_string();
    let rate = parts.next()?.parse().ok()?;
    Some((pt.parse().ok()?, name, rate))
}

/// Our answer: one audio stream at `local`, with the chosen codec and, when offered,
/// telephone-events under the caller's payload type. `session_version` must grow with every
/// new answer in the dialog (a re-INVITE).
pub fn answer(n: &Negotiated, local: SocketAddr, session_id: u64, session_version: u64) -> String {
    let ip = match local.ip() {
        IpAddr::V4(_) => "IP4",
        IpAddr::V6(_) => "IP6",
    };
    let (name, mut formats) = match n.law {
        Law::Ulaw => ("PCMU", n.payload_type.to_string()),
        Law::Alaw => ("PCMA", n.payload_type.to_string()),
    };
    if let Some(dtmf) = n.dtmf_payload_type {
        formats.push_str(&format!(" {dtmf}"));
    }
    let mut s = format!(
        "v=0\r\no=careline {session_id} {session_version} IN {ip} {addr}\r\ns=CareLine\r\nc=IN {ip} {addr}\r\nt=0 0\r\nm=audio {port} RTP/AVP {formats}\r\na=rtpmap:{pt} {name}/8000\r\n",
        addr = local.ip(),
        port = local.port(),
        pt = n.payload_type,
    );
    if let Some(dtmf) = n.dtmf_payload_type {
        s.push_str(&format!(
            "a=rtpmap:{dtmf} telephone-event/8000\r\na=fmtp:{dtmf} 0-16\r\n"
        ));
    }
    s.push_str(&format!(
        "a=ptime:{}\r\na={}\r\n",
        n.ptime,
        n.direction.answer().as_str()
    ));
    s
}

/// Our offer, for a call whose INVITE carried none (a "late offer", RFC 3261 §13.2.1): it
/// goes in our 2xx and the caller's answer comes back in the ACK, to be read with
/// [`negotiate`]. One audio stream at `local` listing `laws` in our order of preference under
/// their static payload types (PCMU 0, PCMA 8), and telephone-events under `dtmf_payload_type`
/// when given; sendrecv, 20 ms packets.
pub fn offer(
    laws: &[Law],
    dtmf_payload_type: Option<u8>,
    local: SocketAddr,
    session_id: u64,
    session_version: u64,
) -> String {
    let ip = match local.ip() {
        IpAddr::V4(_) => "IP4",
        IpAddr::V6(_) => "IP6",
    };
    let codecs: Vec<(u8, &str)> = laws
        .iter()
        .map(|law| match law {
            Law::Ulaw => (0, "PCMU"),
            Law::Alaw => (8, "PCMA"),
        })
        .collect();
    let mut formats: Vec<String> = codecs.iter().map(|(pt, _)| pt.to_string()).collect();
    if let Some(dtmf) = dtmf_payload_type {
        formats.push(dtmf.to_string());
    }
    let mut s = format!(
        "v=0\r\no=careline {session_id} {session_version} IN {ip} {addr}\r\ns=CareLine\r\nc=IN {ip} {addr}\r\nt=0 0\r\nm=audio {port} RTP/AVP {formats}\r\n",
        addr = local.ip(),
        port = local.port(),
        formats = formats.join(" "),
    );
    for (pt, name) in &codecs {
        s.push_str(&format!("a=rtpmap:{pt} {name}/8000\r\n"));
    }
    if let Some(dtmf) = dtmf_payload_type {
        s.push_str(&format!(
            "a=rtpmap:{dtmf} telephone-event/8000\r\na=fmtp:{dtmf} 0-16\r\n"
        ));
    }
    s.push_str("a=ptime:20\r\na=sendrecv\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What SIPp's uac scenario and most softphones send.
    const OFFER: &str = "v=0\r\n\
        o=user1 53655765 2353687637 IN IP4 192.0.2.10\r\n\
        s=-\r\n\
        c=IN IP4 192.0.2.10\r\n\
        t=0 0\r\n\
        m=audio 6000 RTP/AVP 8 0 101\r\n\
        a=rtpmap:8 PCMA/8000\r\n\
        a=rtpmap:0 PCMU/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-16\r\n\
        a=ptime:20\r\n\
        a=sendrecv\r\n";

    #[test]
    fn a_common_offer_gets_our_preferred_law_and_dtmf() {
        let n = negotiate(OFFER, &[Law::Ulaw, Law::Alaw]).unwrap();
        assert_eq!(n.law, Law::Ulaw);
        assert_eq!(n.payload_type, 0);
        assert_eq!(n.dtmf_payload_type, Some(101));
        assert_eq!(n.remote, Some("192.0.2.10:6000".parse().unwrap()));
        assert_eq!(n.direction, Direction::SendRecv);
        assert_eq!(n.ptime, 20);
        let n = negotiate(OFFER, &[Law::Alaw, Law::Ulaw]).unwrap();
        assert_eq!((n.law, n.payload_type), (Law::Alaw, 8));
    }

    #[test]
    fn the_answer_is_sdp_the_parser_reads_back() {
        let n = negotiate(OFFER, &[Law::Ulaw]).unwrap();
        let a = answer(&n, "198.51.100.5:40000".parse().unwrap(), 7, 1);
        assert!(a.contains("m=audio 40000 RTP/AVP 0 101\r\n"), "{a}");
        assert!(a.contains("a=rtpmap:101 telephone-event/8000\r\n"));
        assert!(a.contains("a=sendrecv\r\n"));
        // Our answer, read as an offer, negotiates to the same thing.
        let back = negotiate(&a, &[Law::Ulaw]).unwrap();
        assert_eq!(back.law, Law::Ulaw);
        assert_eq!(back.dtmf_payload_type, Some(101));
        assert_eq!(back.remote, Some("198.51.100.5:40000".parse().unwrap()));
    }

    #[test]
    fn no_g711_is_no_common_codec_and_no_audio_is_no_audio() {
        let g729 = OFFER
            .replace(
                "m=audio 6000 RTP/AVP 8 0 101",
                "m=audio 6000 RTP/AVP 18 101",
            )
            .replace("a=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:18 G729/8000\r\n")
            .replace("a=rtpmap:0 PCMU/8000\r\n", "");
        assert_eq!(
            negotiate(&g729, &[Law::Ulaw, Law::Alaw]),
            Err(SdpError::NoCommonCodec)
        );
        let video = OFFER.replace("m=audio 6000 RTP/AVP", "m=video 6000 RTP/AVP");
        assert_eq!(negotiate(&video, &[Law::Ulaw]), Err(SdpError::NoAudio));
        let srtp = OFFER.replace("RTP/AVP", "RTP/SAVP");
        assert_eq!(negotiate(&srtp, &[Law::Ulaw]), Err(SdpError::NoAudio));
        assert!(matches!(
            negotiate("hello", &[Law::Ulaw]),
            Err(SdpError::Malformed(_))
        ));
    }

    #[test]
    fn static_payload_types_need_no_rtpmap_and_remapped_ones_are_followed() {
        let bare = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n";
        assert_eq!(negotiate(bare, &[Law::Ulaw]).unwrap().payload_type, 0);
        // PCMU under a dynamic number.
        let remapped = bare.replace("RTP/AVP 0", "RTP/AVP 96").replace(
            "m=audio 7000 RTP/AVP 96\r\n",
            "m=audio 7000 RTP/AVP 96\r\na=rtpmap:96 pcmu/8000\r\n",
        );
        assert_eq!(negotiate(&remapped, &[Law::Ulaw]).unwrap().payload_type, 96);
        // PCMU at 16 kHz is not G.711.
        let wide = remapped.replace("pcmu/8000", "PCMU/16000");
        assert_eq!(negotiate(&wide, &[Law::Ulaw]), Err(SdpError::NoCommonCodec));
    }

    #[test]
    fn hold_and_resume_are_directions_and_addresses() {
        let hold = OFFER.replace("a=sendrecv", "a=sendonly");
        let n = negotiate(&hold, &[Law::Ulaw]).unwrap();
        assert_eq!(n.direction, Direction::SendOnly);
        assert!(answer(&n, "192.0.2.9:4000".parse().unwrap(), 1, 2).contains("a=recvonly\r\n"));
        // The old way: connection address 0.0.0.0.
        let old = OFFER.replace("c=IN IP4 192.0.2.10", "c=IN IP4 0.0.0.0");
        assert_eq!(negotiate(&old, &[Law::Ulaw]).unwrap().remote, None);
    }

    #[test]
    fn our_offer_is_sdp_the_parser_reads_back() {
        let o = offer(
            &[Law::Ulaw, Law::Alaw],
            Some(101),
            "198.51.100.5:40000".parse().unwrap(),
            7,
            1,
        );
        assert!(o.contains("m=audio 40000 RTP/AVP 0 8 101\r\n"), "{o}");
        assert!(o.contains("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"));
        assert!(o.contains("a=fmtp:101 0-16\r\n"));
        let n = negotiate(&o, &[Law::Ulaw, Law::Alaw]).unwrap();
        assert_eq!((n.law, n.payload_type), (Law::Ulaw, 0));
        assert_eq!(n.dtmf_payload_type, Some(101));
        assert_eq!(n.remote, Some("198.51.100.5:40000".parse().unwrap()));
        assert_eq!(n.direction, Direction::SendRecv);
        assert_eq!(n.ptime, 20);
        // A peer that only takes A-law finds it in the offer, under its static number.
        let n = negotiate(&o, &[Law::Alaw]).unwrap();
        assert_eq!((n.law, n.payload_type), (Law::Alaw, 8));
        // IPv6, no telephone-events.
        let v6 = offer(
            &[Law::Alaw],
            None,
            "[2001:db8::5]:40002".parse().unwrap(),
            7,
            1,
        );
        assert!(v6.contains("c=IN IP6 2001:db8::5\r\n"), "{v6}");
        assert!(!v6.contains("telephone-event"));
        let n = negotiate(&v6, &[Law::Ulaw, Law::Alaw]).unwrap();
        assert_eq!((n.law, n.dtmf_payload_type), (Law::Alaw, None));
    }

    #[test]
    fn odd_ptime_falls_back_to_20() {
        let odd = OFFER.replace("a=ptime:20", "a=ptime:17");
        assert_eq!(negotiate(&odd, &[Law::Ulaw]).unwrap().ptime, 20);
        let thirty = OFFER.replace("a=ptime:20", "a=ptime:30");
        assert_eq!(negotiate(&thirty, &[Law::Ulaw]).unwrap().ptime, 30);
    }
}
