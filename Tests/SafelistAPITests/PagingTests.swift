import Foundation
import SafelistTesting
import Testing

@Suite("Paging: a total order, no duplicates or gaps, empty pages past the end")
struct PagingTests {
    /// 2,500 policies with repeated patterns across types so that the id tiebreak matters.
    static func seed(_ api: APIClient) async throws {
        for chunk in 0..<3 {
            var posts: [[String: Any]] = []
            for index in (chunk * 1000)..<min(2500, (chunk + 1) * 1000) {
                let name = "host\(index % 800)"
                let kind = index / 800
                switch kind {
                case 0: posts.append(policyBody("\(name)@example.com", "EMAIL", ["comments": index % 10 == 0 ? "Tagged VENDOR \(index)" : NSNull()]))
                case 1: posts.append(policyBody("\(name).example.com", "DOMAIN", ["is_trusted_sender": false, "is_exempt_recipient": true]))
                case 2: posts.append(policyBody("\(name)@example.com", "EMAIL", regex: true, ["is_acceptable_sender": true]))
                default: posts.append(policyBody("\(name).example.org", "DOMAIN", regex: false, ["verify_sender": false]))
                }
            }
            let reply = try await api.send(
                .post, policiesPath(accountA, "/batch"),
                json: ["deletes": [], "patches": [], "puts": [], "posts": posts])
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
        }
    }

    static func walk(_ api: APIClient, _ query: String, perPage: Int) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var page = 1
        while true {
            let reply = try await api.send(.get, policiesPath(accountA, "?\(query)&per_page=\(perPage)&page=\(page)"))
            #expect(reply.status == 200)
            let info = reply.json["result_info"] as? [String: Any] ?? [:]
            #expect(info["page"] as? Int == page && info["per_page"] as? Int == perPage)
            #expect(info["count"] as? Int == reply.results.count)
            if reply.results.isEmpty { break }
            all += reply.results
            page += 1
            if page > 2000 { Issue.record("paging did not end"); break }
        }
        return all
    }

    @Test(arguments: StoreKind.available)
    func walkEveryOrderAndDirection(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            try await Self.seed(api)
            let everything = try await Self.walk(api, "order=created_at", perPage: 1000)
            #expect(everything.count == 2500)
            for order in ["created_at", "pattern"] {
                for direction in ["asc", "desc"] {
                    let key: ([String: Any]) -> String = { ($0[order] as? String ?? "") }
                    var expected = everything.sorted { lhs, rhs in
                        let (l, r) = (key(lhs), key(rhs))
                        return l == r
                            ? (lhs["id"] as? String ?? "") < (rhs["id"] as? String ?? "") : Array(l.utf8).lexicographicallyPrecedes(Array(r.utf8))
                    }.map { $0["id"] as? String ?? "" }
                    if direction == "desc" { expected.reverse() }
                    for perPage in [1000, 7] {
                        let walked = try await Self.walk(api, "order=\(order)&direction=\(direction)", perPage: perPage).map {
                            $0["id"] as? String ?? ""
                        }
                        #expect(walked.count == 2500, "\(order) \(direction) \(perPage)")
                        #expect(Set(walked).count == 2500, "no duplicates: \(order) \(direction) \(perPage)")
                        #expect(walked == expected, "\(order) \(direction) \(perPage)")
                    }
                }
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func filtersSearchAndPastTheEnd(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            try await Self.seed(api)
            func total(_ query: String) async throws -> Int {
                let reply = try await api.send(.get, policiesPath(accountA, "?per_page=1000&" + query))
                #expect(reply.status == 200, "\(query)")
                return (reply.json["result_info"] as? [String: Any])?["total_count"] as? Int ?? -1
            }
            #expect(try await total("") == 2500)
            #expect(try await total("search=") == 2500)
            #expect(try await total("pattern_type=EMAIL") == 1600)
            #expect(try await total("pattern_type=DOMAIN") == 900)
            #expect(try await total("pattern_type=IP") == 0)
            #expect(try await total("is_exempt_recipient=true") == 800)
            #expect(try await total("is_acceptable_sender=true") == 800)
            #expect(try await total("verify_sender=false") == 100)
            #expect(try await total("is_trusted_sender=false") == 800)
            #expect(try await total("pattern=host5@example.com") == 2)
            #expect(try await total("pattern=host5@example.com&pattern_type=EMAIL&is_acceptable_sender=true") == 1)
            // Search: case-insensitive substring of pattern or comments.
            #expect(try await total("search=vendor") == 80)
            #expect(try await total("search=HOST799.EXAMPLE") == 1)
            #expect(try await total("search=example.org") == 100)
            #expect(try await total("search=nothing-matches") == 0)
            // Unicode case folding, in comments and in (internationalised) patterns.
            #expect(
                try await api.send(.post, policiesPath(accountA), json: policyBody("straße.example", "DOMAIN", ["comments": "Größe ÄRGER"])).status
                    == 201)
            #expect(try await total("search=%C3%A4rger") == 1)
            #expect(try await total("search=STRASSE") == 0)
            #expect(try await total("search=STRA%C3%9FE") == 1)

            let past = try await api.send(.get, policiesPath(accountA, "?per_page=1000&page=4"))
            #expect(past.status == 200 && past.results.isEmpty)
            #expect((past.json["result_info"] as? [String: Any])?["total_count"] as? Int == 2501)
            let farPast = try await api.send(.get, policiesPath(accountA, "?per_page=1000&page=9223372036854775807"))
            #expect(farPast.status == 200 && farPast.results.isEmpty)
            let other = try await api.send(.get, policiesPath(accountB))
            #expect(other.status == 200 && other.results.isEmpty)
        }
    }
}
