import SafelistCore
import SafelistRegex

/// Matching a batch of messages against one segment.
extension Segment {
    /// Messages are matched a chunk at a time. At a million policies the tables are far larger
    /// than the CPU caches and a lookup costs a memory round trip, so within a chunk every
    /// literal key of every message (addresses, each domain suffix) is hashed and its home slot
    /// read in one pass, and those misses overlap; then each regex database scans every subject
    /// of the chunk it applies to while it is hot in cache; then the lookups finish on slots
    /// already read. A chunk is small enough that its subjects stay in the first-level cache.
    static let chunkSize = 64

    /// Appends a hit for every policy of this segment that matches a subject of one of
    /// `messages`, on a side where it grants something; a hit names its message by position.
    func collect(_ messages: UnsafeBufferPointer<MailMessage>, segment: UInt8, into hits: inout [Hit], work: inout MatchWork) {
        guard !isEmpty else { return }
        scratch.withScratch { scratch in
            var start = 0
            while start < messages.count {
                let end = min(start + Self.chunkSize, messages.count)
                work.layout(messages, start..<end)
                let (spans, bytes) = work.laidOut
                var ipBound = 0
                for index in start..<end { ipBound += messages[index].clientIP.map { ips.lengthCount($0.family) } ?? 0 }
                withUnsafeTemporaryAllocation(of: Probe.self, capacity: max(work.probeBound, 1)) { probes in
                    withUnsafeTemporaryAllocation(of: PrefixTable.Probe.self, capacity: max(ipBound, 1)) { ipProbes in
                        let probeCount = planProbes(spans, bytes, into: probes)
                        var ipCount = 0
                        for index in start..<end {
                            guard let ip = messages[index].clientIP else { continue }
                            ips.plan(ip, message: Int32(index), into: ipProbes, count: &ipCount)
                        }
                        ipCount = ips.filter(UnsafeMutableBufferPointer(rebasing: ipProbes[..<ipCount]))
                        if let scratch { scanRegexes(spans, bytes, scratch, segment, &hits) }
                        for probe in ipProbes[..<ipCount] {
                            ips.resolve(probe) { hits.append(Hit(message: probe.message, segment: segment, policy: $0, role: .clientIP)) }
                        }
                        resolve(UnsafeBufferPointer(rebasing: probes[..<probeCount]), spans, bytes, segment, &hits)
                    }
                }
                start = end
            }
        }
    }

    /// Lists every literal lookup of the chunk that its table's filter lets through, and reads
    /// each one's home slot; returns how many. Three passes, so that nothing waits on memory in
    /// a branch: hash every key (starting to load its filter line); ask the filters for all of
    /// them, keeping the answers without branching on them; read the home slots of the
    /// survivors. `probes` holds at least one lookup per address and one per dot.
    private func planProbes(_ spans: UnsafeBufferPointer<SubjectSpan>, _ bytes: UnsafeRawBufferPointer,
                            into probes: UnsafeMutableBufferPointer<Probe>) -> Int {
        var count = 0
        let hasEmails = emails.count > 0, hasDomains = domains.count > 0
        // Where the dots of one domain are, found without a branch per byte.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(bytes.count, 1)) { dots in
            for (index, span) in spans.enumerated() where span.kind != .ip {
                let end = span.end
                if hasEmails, span.kind != .hostname {
                    let hash = ByteHash.hash(UnsafeRawBufferPointer(rebasing: bytes[span.start..<end]))
                    emails.filter.prefetch(hash)
                    probes[count] = Probe(span: Int32(index), start: Int32(span.start), isDomain: false, hash: hash)
                    count += 1
                }
                guard hasDomains else { continue }
                var dotCount = 0
                for offset in span.domainStart..<end {
                    dots[dotCount] = offset
                    dotCount &+= bytes[offset] == UInt8(ascii: ".") ? 1 : 0
                }
                // The name, then each parent at a label boundary that still has two labels.
                for dot in -1..<dotCount - 1 {
                    let labels = dotCount - dot
                    guard labels >= 64 || domains.labelCounts & (1 << UInt64(labels)) != 0 else { continue }
                    let start = dot < 0 ? span.domainStart : dots[dot] + 1
                    let hash = ByteHash.hash(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    domains.filter.prefetch(hash)
                    probes[count] = Probe(span: Int32(index), start: Int32(start), isDomain: true, hash: hash)
                    count += 1
                }
            }
        }
        var kept = 0
        for index in 0..<count {
            let probe = probes[index]
            let pass = probe.isDomain ? domains.filter.mayContain(probe.hash) : emails.filter.mayContain(probe.hash)
            probes[kept] = probe
            kept &+= pass ? 1 : 0
        }
        // The loads that miss: independent of each other, so the CPU overlaps them.
        for index in 0..<kept {
            probes[index].first = probes[index].isDomain ? domains.homeSlot(probes[index].hash) : emails.homeSlot(probes[index].hash)
        }
        return kept
    }

    private func resolve(_ probes: UnsafeBufferPointer<Probe>, _ spans: UnsafeBufferPointer<SubjectSpan>, _ bytes: UnsafeRawBufferPointer,
                         _ segment: UInt8, _ hits: inout [Hit]) {
        for probe in probes where probe.first != 0 {
            let span = spans[Int(probe.span)]
            let key = UnsafeRawBufferPointer(rebasing: bytes[Int(probe.start)..<span.end])
            func found(_ policy: UInt32) {
                guard span.kind == .recipient ? recipientGrants(policy) : senderGrants(policy) else { return }
                emit(policy, span, segment, &hits)
            }
            if probe.isDomain {
                domains.forEach(key, hash: probe.hash, first: probe.first, found)
            } else {
                emails.forEach(key, hash: probe.hash, first: probe.first, found)
            }
        }
    }

    /// Database by database, every subject of the chunk that database applies to. A filtered
    /// shard skips the subjects its group's literals rule out.
    private func scanRegexes(_ spans: UnsafeBufferPointer<SubjectSpan>, _ bytes: UnsafeRawBufferPointer,
                             _ scratch: OpaquePointer, _ segment: UInt8, _ hits: inout [Hit]) {
        var ids = MatchIDs()
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: spans.count) { wanted in
            scanShards.withUnsafeBufferPointer { shards in
                for group in RegexGroup.allCases {
                    let range = scanGroups[group.rawValue]
                    guard !range.isEmpty else { continue }
                    for (index, span) in spans.enumerated() {
                        guard let start = span.subjectStart(for: group) else {
                            wanted[index] = false
                            continue
                        }
                        wanted[index] = !span.plain || filter.mayMatch(UnsafeRawBufferPointer(rebasing: bytes[start..<span.end]), group)
                    }
                    for shard in shards[range] {
                        for (index, span) in spans.enumerated() {
                            guard let start = span.subjectStart(for: group), wanted[index] || !shard.filtered else { continue }
                            shard.database.scan(UnsafeRawBufferPointer(rebasing: bytes[start..<span.end]), scratch: scratch, into: &ids)
                            if ids.isEmpty { continue }
                            for id in ids.ids { emit(scanMembers[shard.members + Int(id)], span, segment, &hits) }
                            ids.removeAll()
                        }
                    }
                }
            }
        }
    }

    /// One hit per subject the value came from: a sender address shared by envelope_from and
    /// header_from was looked up once and is reported for both.
    private func emit(_ policy: UInt32, _ span: SubjectSpan, _ segment: UInt8, _ hits: inout [Hit]) {
        func hit(_ role: SubjectRole) { hits.append(Hit(message: span.message, segment: segment, policy: policy, role: role)) }
        switch span.kind {
        case .sender:
            guard span.roles != 0 else { return hit(MailMessage.senderRole(Int(span.index))) }
            var roles = span.roles
            while roles != 0 {
                hit(MailMessage.senderRole(roles.trailingZeroBitCount))
                roles &= roles - 1
            }
        case .hostname: hit(.clientHostname)
        case .ip: hit(.clientIP)
        case .recipient: hit(.recipient(Int(span.index)))
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
}

/// One literal lookup: a key's place in the buffer and its hash.
struct Probe {
    let span: Int32
    let start: Int32
    let isDomain: Bool
    let hash: UInt64
    /// The home slot's content, read ahead of the lookup.
    var first: UInt64 = 0
}

/// A policy of a segment that matched one subject of one message of a batch.
struct Hit {
    let message: Int32
    let segment: UInt8
    let policy: UInt32
    let role: SubjectRole
}
