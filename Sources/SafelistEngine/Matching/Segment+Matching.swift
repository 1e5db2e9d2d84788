import SafelistCore
import SafelistRegex

/// Matching a batch of messages against one segment.
extension Segment {
    /// Messages are matched a chunk at a time. At a million policies the tables are far larger
    /// than the CPU caches and a lookup costs a memory round trip, so within a chunk every
    /// literal key of every message (addresses, each domain suffix, each IP prefix) is hashed
    /// first and its Bloom filter line requested; each regex database then scans the chunk's
    /// subjects it applies to while those lines arrive; only then are the filters asked, and
    /// the home slots of the few keys they let through read in one pass, so those misses
    /// overlap too. A chunk is small enough that its subjects and the lines it requested stay
    /// in the first-level cache (docs/benchmarks.md has the sizes tried).
    static let chunkSize = 32

    /// Appends a hit for every policy of this segment that matches a subject of the chunk
    /// `work` holds laid out (messages `chunk` of `messages`), on a side where it grants
    /// something; a hit names its message by position and its segment by `segment`.
    func collect(
        _ messages: UnsafeBufferPointer<PreparedMessage>, chunk: Range<Int>, laidOut work: MatchWork, segment: UInt8,
        into hits: inout [Hit]
    ) {
        guard !isEmpty else { return }
        scratch.withScratch { scratch in
            let (spans, bytes, dots) = work.laidOut
            var ipBound = 0
            for index in chunk { ipBound += messages[index].view.clientIP.map { ips.lengthCount($0.family) } ?? 0 }
            withUnsafeTemporaryAllocation(of: Probe.self, capacity: max(work.probeBound, 1)) { probes in
                withUnsafeTemporaryAllocation(of: PrefixTable.Probe.self, capacity: max(ipBound, 1)) { ipProbes in
                    // Every key is hashed and its filter line requested first; the regex
                    // scans run while those lines arrive; only then are the filters asked.
                    let probeCount = planProbes(spans: spans, bytes: bytes, dots: dots, into: probes)
                    var ipCount = 0
                    for index in chunk {
                        guard let ip = messages[index].view.clientIP else { continue }
                        ips.plan(ip, message: Int32(truncatingIfNeeded: index), into: ipProbes, count: &ipCount)
                    }
                    if let scratch { scanRegexes(spans: spans, bytes: bytes, scratch: scratch, segment: segment, into: &hits) }
                    ipCount = ips.filter(UnsafeMutableBufferPointer(rebasing: ipProbes[..<ipCount]))
                    let kept = filterProbes(UnsafeMutableBufferPointer(rebasing: probes[..<probeCount]))
                    for probe in ipProbes[..<ipCount] {
                        ips.resolve(probe) { hits.append(Hit(message: probe.message, segment: segment, policy: $0, role: .clientIP)) }
                    }
                    resolve(UnsafeBufferPointer(rebasing: probes[..<kept]), spans: spans, bytes: bytes, segment: segment, into: &hits)
                }
            }
        }
    }

    /// Lists every literal lookup of the chunk, hashed, and starts loading the line of its
    /// table's filter that `filterProbes` will read; returns how many. `probes` holds at least
    /// one lookup per address and one per dot.
    private func planProbes(
        spans: UnsafeBufferPointer<SubjectSpan>, bytes: UnsafeRawBufferPointer, dots: UnsafeBufferPointer<Int32>,
        into probes: UnsafeMutableBufferPointer<Probe>
    ) -> Int {
        var count = 0
        let hasEmails = emails.count > 0, hasDomains = domains.count > 0
        let emailFilter = emails.filter, domainFilter = domains.filter, emailSeed = emails.seed, domainSeed = domains.seed
        for (index, span) in spans.enumerated() where span.kind != .ip {
            let end = span.end
            if hasEmails, span.kind != .hostname {
                let hash = ByteHash.hash(UnsafeRawBufferPointer(rebasing: bytes[span.start..<end]), seed: emailSeed)
                probes[count] = Probe(
                    span: Int32(truncatingIfNeeded: index), start: Int32(truncatingIfNeeded: span.start), isDomain: false,
                    hash: hash, line: emailFilter.block(hash))
                count &+= 1
            }
            guard hasDomains else { continue }
            let dotCount = Int(span.dotCount), firstDot = Int(span.firstDot)
            // The name, then each parent at a label boundary that still has two labels.
            for dot in -1..<dotCount - 1 {
                let labels = dotCount - dot
                guard labels >= 64 || domains.labelCounts & (1 << UInt64(labels)) != 0 else { continue }
                let start = dot < 0 ? span.domainStart : Int(dots[firstDot + dot]) + 1
                let hash = ByteHash.hash(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), seed: domainSeed)
                probes[count] = Probe(
                    span: Int32(truncatingIfNeeded: index), start: Int32(truncatingIfNeeded: start), isDomain: true,
                    hash: hash, line: domainFilter.block(hash))
                count &+= 1
            }
        }
        return count
    }

    /// Keeps the lookups their table's filter lets through and reads each one's home slot;
    /// returns how many, moved to the front. Two passes, so that nothing waits on memory in a
    /// branch: the filters are asked for all lookups, keeping the answers without branching on
    /// them; then the home slots of the survivors are read, loads that miss independently.
    private func filterProbes(_ probes: UnsafeMutableBufferPointer<Probe>) -> Int {
        var kept = 0
        for index in probes.indices {
            let probe = probes[index]
            let pass = BloomFilter.contains(probe.hash, in: probe.line)
            probes[kept] = probe
            kept &+= pass ? 1 : 0
        }
        // The loads that miss: independent of each other, so the CPU overlaps them.
        for index in 0..<kept {
            probes[index].first = probes[index].isDomain ? domains.homeSlot(probes[index].hash) : emails.homeSlot(probes[index].hash)
        }
        return kept
    }

    private func resolve(
        _ probes: UnsafeBufferPointer<Probe>, spans: UnsafeBufferPointer<SubjectSpan>, bytes: UnsafeRawBufferPointer,
        segment: UInt8, into hits: inout [Hit]
    ) {
        for probe in probes where probe.first != 0 {
            let span = spans[Int(probe.span)]
            let key = UnsafeRawBufferPointer(rebasing: bytes[Int(probe.start)..<span.end])
            func found(_ policy: UInt32) {
                guard span.kind == .recipient ? recipientGrants(policy) : senderGrants(policy) else { return }
                emit(policy, span: span, segment: segment, into: &hits)
            }
            if probe.isDomain {
                domains.forEach(key, hash: probe.hash, first: probe.first, found)
            } else {
                emails.forEach(key, hash: probe.hash, first: probe.first, found)
            }
        }
    }

    /// Database by database, every subject of the chunk that database applies to. A filtered
    /// shard scans only the subjects its group's literals do not rule out: one pass over the
    /// chunk sorts the subjects into per-group lists, so a shard's loop touches only its own.
    private func scanRegexes(
        spans: UnsafeBufferPointer<SubjectSpan>, bytes: UnsafeRawBufferPointer,
        scratch: OpaquePointer, segment: UInt8, into hits: inout [Hit]
    ) {
        let groupCount = RegexGroup.count
        // Nothing is listed for a group without shards of that kind.
        let filtered = filteredGroups, unfiltered = unfilteredGroups
        guard filtered | unfiltered != 0 else { return }
        let width = spans.count
        withUnsafeTemporaryAllocation(of: RegexSubject.self, capacity: max(groupCount * width * 2, 1)) { lists in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: groupCount * 2) { counts in
                counts.initialize(repeating: 0)
                // List `group` holds the subjects that passed the filter; `group + groupCount`, all of them.
                func list(_ group: Int, _ entry: RegexSubject) {
                    lists[group * width + counts[group]] = entry
                    counts[group] += 1
                }
                for (index, span) in spans.enumerated() {
                    span.forEachRegexSubject { group, start in
                        let bit: UInt8 = 1 << group.rawValue
                        guard (filtered | unfiltered) & bit != 0 else { return }
                        let entry = RegexSubject(span: Int32(truncatingIfNeeded: index), start: Int32(truncatingIfNeeded: start))
                        if unfiltered & bit != 0 { list(group.rawValue + groupCount, entry) }
                        if filtered & bit != 0,
                            !span.plain || filter.mayMatch(UnsafeRawBufferPointer(rebasing: bytes[start..<span.end]), group)
                        {
                            list(group.rawValue, entry)
                        }
                    }
                }
                var ids = MatchIDs()
                scanShards.withUnsafeBufferPointer { shards in
                    for group in 0..<groupCount {
                        for shard in shards[scanGroups[group]] {
                            let chosen = shard.filtered ? group : group + groupCount
                            for entry in lists[chosen * width..<chosen * width + counts[chosen]] {
                                let span = spans[Int(entry.span)]
                                shard.database.scan(
                                    UnsafeRawBufferPointer(rebasing: bytes[Int(entry.start)..<span.end]), scratch: scratch, into: &ids)
                                if ids.isEmpty { continue }
                                for id in ids.ids { emit(scanMembers[shard.members + Int(id)], span: span, segment: segment, into: &hits) }
                                ids.removeAll()
                            }
                        }
                    }
                }
            }
        }
    }

    /// One hit per subject the value came from: a sender address shared by envelope_from and
    /// header_from was looked up once and is reported for both.
    private func emit(_ policy: UInt32, span: SubjectSpan, segment: UInt8, into hits: inout [Hit]) {
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
