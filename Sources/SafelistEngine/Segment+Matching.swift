import SafelistCore
import SafelistRegex

/// Matching a message against one segment.
extension Segment {
    /// Appends a hit for every policy of this segment that matches a subject of `message` on a
    /// side where it grants something.
    ///
    /// At a million policies the tables are far larger than the CPU caches and a lookup costs a
    /// memory round trip, so the work is staged: every subject's bytes are laid out in one
    /// buffer, every literal key (addresses, each domain suffix) is hashed and its home slot
    /// read in one pass, so those misses overlap; then the regex scans run while nothing waits;
    /// then the lookups finish on slots already in cache.
    func collect(_ message: MailMessage, segment: UInt8, into hits: inout [Hit]) {
        let senderCount = message.senderCount
        var byteCount = (message.clientHostname?.utf8.count ?? 0) + (message.clientIPText?.utf8.count ?? 0)
        for index in 0..<senderCount { byteCount += message.sender(index)?.address.utf8.count ?? 0 }
        for recipient in message.recipients { byteCount += recipient.address.utf8.count }
        let spanCapacity = senderCount + message.recipients.count + 2
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(byteCount, 1)) { bytes in
            withUnsafeTemporaryAllocation(of: SubjectSpan.self, capacity: spanCapacity) { spans in
                var spanCount = 0
                var used = 0
                var probeCount = 0
                func add(_ text: String, _ kind: SubjectSpan.Kind, _ index: Int, domain: Int, roles: UInt64 = 0) {
                    let count = text.utf8.count
                    let target = UnsafeMutableBufferPointer(rebasing: bytes[used..<used + count])
                    let copied = text.utf8.withContiguousStorageIfAvailable { source in
                        guard let from = source.baseAddress, let to = target.baseAddress else { return }
                        to.update(from: from, count: count)
                    }
                    if copied == nil { _ = target.initialize(from: text.utf8) }
                    var dots = 0
                    for byte in target[domain...] where byte == UInt8(ascii: ".") { dots += 1 }
                    probeCount += dots + (kind == .sender || kind == .recipient ? 1 : 0)
                    spans[spanCount] = SubjectSpan(kind: kind, index: index, start: used, count: count, domain: domain, roles: roles)
                    spanCount += 1
                    used += count
                }
                for index in 0..<senderCount {
                    guard let sender = message.sender(index) else { continue }
                    // envelope_from and header_from are often one address: match it once, report
                    // it for each (the first 64 senders; beyond, each stands alone).
                    var roles: UInt64 = 0
                    if index < 64 {
                        if (0..<index).contains(where: { message.sender($0)?.address == sender.address }) { continue }
                        for other in index..<min(senderCount, 64) where other == index || message.sender(other)?.address == sender.address {
                            roles |= 1 << UInt64(other)
                        }
                    }
                    add(sender.address, .sender, index, domain: sender.domainOffset, roles: roles)
                }
                if let hostname = message.clientHostname { add(hostname, .hostname, 0, domain: 0) }
                if let text = message.clientIPText { add(text, .ip, 0, domain: text.utf8.count) }
                for (index, recipient) in message.recipients.enumerated() {
                    add(recipient.address, .recipient, index, domain: recipient.domainOffset)
                }
                let subjects = UnsafeBufferPointer(rebasing: spans[..<spanCount])
                let buffer = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<used]))
                withUnsafeTemporaryAllocation(of: Probe.self, capacity: max(probeCount, 1)) { probes in
                    let count = planProbes(subjects, buffer, into: probes)
                    scanRegexes(subjects, buffer, segment, &hits)
                    if let ip = message.clientIP {
                        ips.forEach(containing: ip) { hits.append(Hit(segment: segment, policy: $0, role: .clientIP)) }
                    }
                    for probe in probes[..<count] where probe.first != 0 {
                        let span = subjects[Int(probe.span)]
                        let key = UnsafeRawBufferPointer(rebasing: buffer[Int(probe.start)..<span.start + span.count])
                        func found(_ policy: UInt32) {
                            guard span.kind == .recipient ? recipientGrants(policy) : senderGrants(policy) else { return }
                            emit(policy, span, segment, &hits)
                        }
                        if probe.isDomain {
                            domains.forEach(key, hash: probe.hash, from: probe.slot, first: probe.first, found)
                        } else {
                            emails.forEach(key, hash: probe.hash, from: probe.slot, first: probe.first, found)
                        }
                    }
                }
            }
        }
    }

    /// Lists every literal lookup of the message and reads each one's home slot.
    private func planProbes(_ spans: UnsafeBufferPointer<SubjectSpan>, _ bytes: UnsafeRawBufferPointer,
                            into probes: UnsafeMutableBufferPointer<Probe>) -> Int {
        var count = 0
        let hasEmails = emails.count > 0, hasDomains = domains.count > 0
        for (index, span) in spans.enumerated() where span.kind != .ip {
            if hasEmails, span.kind != .hostname {
                let hash = ByteHash.hash(UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.start + span.count]))
                if emails.filter.mayContain(hash) {
                    probes[count] = Probe(span: Int32(index), start: Int32(span.start), isDomain: false, hash: hash, slot: emails.home(hash))
                    count += 1
                }
            }
            guard hasDomains else { continue }
            // The name, then each parent at a label boundary that still has two labels.
            var start = span.start + span.domain
            let end = span.start + span.count
            var labels = 1
            for byte in bytes[start..<end] where byte == UInt8(ascii: ".") { labels += 1 }
            while let dot = bytes[start..<end].firstIndex(of: UInt8(ascii: ".")) {
                if labels >= 64 || domains.labelCounts & (1 << UInt64(labels)) != 0 {
                    let hash = ByteHash.hash(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    if domains.filter.mayContain(hash) {
                        probes[count] = Probe(span: Int32(index), start: Int32(start), isDomain: true, hash: hash, slot: domains.home(hash))
                        count += 1
                    }
                }
                start = dot + 1
                labels -= 1
            }
        }
        // The loads that miss: independent of each other, so the CPU overlaps them.
        for index in 0..<count {
            probes[index].first = probes[index].isDomain ? domains.slot(probes[index].slot) : emails.slot(probes[index].slot)
        }
        return count
    }

    private func scanRegexes(_ spans: UnsafeBufferPointer<SubjectSpan>, _ bytes: UnsafeRawBufferPointer,
                             _ segment: UInt8, _ hits: inout [Hit]) {
        guard !scratch.isEmpty else { return }
        scratch.withScratch { scratch in
            guard let scratch else { return }
            var ids = MatchIDs()
            for span in spans {
                let whole = UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.start + span.count])
                let domain = UnsafeRawBufferPointer(rebasing: bytes[span.start + span.domain..<span.start + span.count])
                switch span.kind {
                case .sender:
                    scan(.senderEmail, whole, span, scratch, &ids, segment, &hits)
                    scan(.senderDomain, domain, span, scratch, &ids, segment, &hits)
                case .hostname:
                    scan(.senderDomain, whole, span, scratch, &ids, segment, &hits)
                case .ip:
                    scan(.senderIP, whole, span, scratch, &ids, segment, &hits)
                case .recipient:
                    scan(.recipientEmail, whole, span, scratch, &ids, segment, &hits)
                    scan(.recipientDomain, domain, span, scratch, &ids, segment, &hits)
                }
            }
        }
    }

    /// One hit per subject the value came from: a sender address shared by envelope_from and
    /// header_from was looked up once and is reported for both.
    private func emit(_ policy: UInt32, _ span: SubjectSpan, _ segment: UInt8, _ hits: inout [Hit]) {
        switch span.kind {
        case .sender:
            guard span.roles != 0 else {
                return hits.append(Hit(segment: segment, policy: policy, role: MailMessage.senderRole(span.index)))
            }
            var roles = span.roles
            while roles != 0 {
                let index = roles.trailingZeroBitCount
                hits.append(Hit(segment: segment, policy: policy, role: MailMessage.senderRole(index)))
                roles &= roles - 1
            }
        case .hostname: hits.append(Hit(segment: segment, policy: policy, role: .clientHostname))
        case .ip: hits.append(Hit(segment: segment, policy: policy, role: .clientIP))
        case .recipient: hits.append(Hit(segment: segment, policy: policy, role: .recipient(span.index)))
        }
    }

    @inline(__always)
    private func senderGrants(_ policy: UInt32) -> Bool {
        !grants[Int(policy)].isDisjoint(with: .senderSide)
    }

    @inline(__always)
    private func recipientGrants(_ policy: UInt32) -> Bool {
        grants[Int(policy)].contains(.exemptRecipient)
    }

    @inline(__always)
    private func scan(_ group: RegexGroup, _ subject: UnsafeRawBufferPointer, _ span: SubjectSpan, _ scratch: OpaquePointer,
                      _ ids: inout MatchIDs, _ segment: UInt8, _ hits: inout [Hit]) {
        let range = scanGroups[group.rawValue]
        guard !range.isEmpty else { return }
        scanShards.withUnsafeBufferPointer { shards in
            for shard in shards[range] {
                shard.database.scan(subject, scratch: scratch, into: &ids)
                if ids.isEmpty { continue }
                for id in ids.ids { emit(scanMembers[shard.members + Int(id)], span, segment, &hits) }
                ids.removeAll()
            }
        }
    }
}

/// Where one subject's bytes lie in an evaluation's buffer.
struct SubjectSpan {
    enum Kind { case sender, hostname, ip, recipient }
    let kind: Kind
    /// The sender index (envelope_from, header_from, reply_to…) or the recipient index.
    let index: Int
    let start: Int
    let count: Int
    /// Offset of the domain within the subject (after the `@`); 0 for a host name.
    let domain: Int
    /// For a sender address: bit n is set when sender n (envelope_from, header_from, each
    /// reply_to) is this same address; 0 when it stands alone at an index past 63.
    let roles: UInt64
}

/// One literal lookup: a key's place in the buffer, its hash and home slot.
struct Probe {
    let span: Int32
    let start: Int32
    let isDomain: Bool
    let hash: UInt64
    let slot: Int
    /// The home slot's content, read ahead of the lookup.
    var first: UInt64 = 0
}

/// A policy of a segment that matched one subject.
struct Hit {
    let segment: UInt8
    let policy: UInt32
    let role: SubjectRole
}

