import Foundation
import SafelistTesting
import Testing

@Suite("Bad input answered with the envelope, every problem at once")
struct ValidationTests {
    @Test(arguments: StoreKind.available)
    func malformedJSONWrongContentTypeAndOversizedBody(kind: StoreKind) async throws {
        try await TestServer(kind, maxBodyBytes: 2048).test { api in
            let malformed = try await api.send(.post, policiesPath(accountA), raw: "{\"pattern\": ")
            #expect(malformed.status == 400)
            #expect(malformed.errorCodes == [25001])
            #expect(malformed.json["success"] as? Bool == false)
            #expect(malformed.json["result"] is NSNull)

            let form = try await api.send(.post, policiesPath(accountA), raw: "pattern=x", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)
            #expect(form.errorCodes == [25002])

            let noType = try await api.send(.post, policiesPath(accountA), raw: "{}", contentType: nil)
            #expect(noType.status == 415)

            let charset = try await api.send(
                .post, policiesPath(accountA), json: policyBody("a@b.com"),
                contentType: "application/json; charset=utf-8")
            #expect(charset.status == 201)
            // Media types compare ignoring case and surrounding blanks; a longer name is another type.
            for (contentType, status) in [
                (" Application/JSON ;charset=utf-8", 201), ("\tapplication/json", 201), ("application/jsonx", 415),
                ("application/json-patch+json", 415), ("application/jso", 415),
            ] {
                let reply = try await api.send(
                    .post, policiesPath(accountA), json: policyBody("\(status)\(contentType.count)@b.com"), contentType: contentType)
                #expect(reply.status == status, "\(contentType)")
            }

            let huge = try await api.send(.post, policiesPath(accountA), raw: "{\"comments\": \"" + String(repeating: "x", count: 4096) + "\"}")
            #expect(huge.status == 413)
            #expect(huge.errorCodes == [25003])

            let empty = try await api.send(.post, policiesPath(accountA), raw: "")
            #expect(empty.status == 400 || empty.status == 415)
            #expect(!empty.errors.isEmpty)

            let array = try await api.send(.post, policiesPath(accountA), raw: "[1, 2]")
            #expect(array.status == 400)
            #expect(array.errorCodes == [25011])
        }
    }

    @Test(arguments: StoreKind.available)
    func hostileBodiesNeverCrashTheServer(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            for raw in [
                String(repeating: "[", count: 100_000), String(repeating: "{\"a\":", count: 100_000),
                "\u{FEFF}{}", "{\"pattern\": \"\\ud800\"}", "nul\u{0}",
            ] {
                let reply = try await api.send(.post, policiesPath(accountA), raw: raw)
                #expect(reply.status == 400, "\(raw.prefix(20))")
                #expect(reply.json["success"] as? Bool == false)
            }
            // The server still answers afterwards.
            #expect(try await api.send(.get, policiesPath(accountA)).status == 200)
        }
    }

    @Test(arguments: StoreKind.available)
    func everyProblemReportedWithItsPointer(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let reply = try await api.send(
                .post, policiesPath(accountA),
                json: [
                    "pattern": "10.1.2.3", "pattern_type": "IP", "is_regex": false, "is_trusted_sender": "yes",
                    "is_exempt_recipient": 1, "verify_sender": NSNull(), "comments": 5, "colour": "red",
                ])
            #expect(reply.status == 400)
            let byPointer = Dictionary(uniqueKeysWithValues: zip(reply.pointers, reply.errorCodes))
            #expect(byPointer["/pattern"] == 25023, "private IP refused alongside the type errors")
            #expect(byPointer["/is_trusted_sender"] == 25011)
            #expect(byPointer["/is_exempt_recipient"] == 25011)
            #expect(byPointer["/verify_sender"] == 25011)
            #expect(byPointer["/comments"] == 25011)
            #expect(byPointer["/colour"] == 25012)
            #expect(byPointer["/is_acceptable_sender"] == 25010)
            #expect(reply.errors.count == 7)
            #expect(reply.errors.allSatisfy { ($0["code"] as? Int ?? 0) >= 1000 && $0["message"] is String })
        }
    }

    /// Each pattern rule through the API: a failing case with its code and pointer, a passing case
    /// with its stored form.
    @Test(
        arguments: [
            ("EMAIL", "no-at-sign.example.com", 25020, nil),
            ("EMAIL", "a..b@example.com", 25020, nil),
            ("EMAIL", "user@localhost", 25020, nil),
            ("EMAIL", "User.Name+tag@Example.COM.", nil, "user.name+tag@example.com"),
            ("DOMAIN", "localhost", 25021, nil),
            ("DOMAIN", "bad_label.example", 25021, nil),
            ("DOMAIN", "-lead.example", 25021, nil),
            ("DOMAIN", "a..example", 25021, nil),
            ("DOMAIN", String(repeating: "a", count: 64) + ".com", 25021, nil),
            ("DOMAIN", "Mail.Example.COM.", nil, "mail.example.com"),
            ("DOMAIN", "bücher.example", nil, "bücher.example"),
            ("IP", "1.2.3", 25022, nil),
            ("IP", "01.2.3.4", 25022, nil),
            ("IP", "1.2.3.4/33", 25022, nil),
            ("IP", "1.2.3.4/24", 25024, nil),
            ("IP", "192.168.1.1", 25023, nil),
            ("IP", "127.0.0.1", 25023, nil),
            ("IP", "169.254.0.1", 25023, nil),
            ("IP", "0.0.0.0", 25023, nil),
            ("IP", "255.255.255.255", 25023, nil),
            ("IP", "fd00::1", 25023, nil),
            ("IP", "fe80::1", 25023, nil),
            ("IP", "::1", 25023, nil),
            ("IP", "::", 25023, nil),
            ("IP", "::ffff:10.0.0.1", 25023, nil),
            ("IP", "8.8.8.8/32", nil, "8.8.8.8"),
            ("IP", "1.2.3.0/24", nil, "1.2.3.0/24"),
            ("IP", "2606:4700:4700:0:0:0:0:1111", nil, "2606:4700:4700::1111"),
            ("IP", "2606:4700::/32", nil, "2606:4700::/32"),
            ("IP", "::ffff:8.8.4.4", nil, "8.8.4.4"),
        ] as [(String, String, Int?, String?)])
    func patternRule(type: String, pattern: String, code: Int?, stored: String?) async throws {
        try await TestServer().test { api in
            let reply = try await api.send(.post, policiesPath(accountA), json: policyBody(pattern, type))
            if let code {
                #expect(reply.status == 400, "\(pattern)")
                #expect(reply.errorCodes == [code], "\(pattern): \(reply.text)")
                #expect(reply.pointers == ["/pattern"])
            } else {
                #expect(reply.status == 201, "\(pattern): \(reply.text)")
                #expect(reply.result["pattern"] as? String == stored)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func hostBitsErrorNamesTheNetwork(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let reply = try await api.send(.post, policiesPath(accountA), json: policyBody("2606:4700::1/32", "IP"))
            #expect(reply.errorCodes == [25024])
            let message = reply.errors.first?["message"] as? String ?? ""
            #expect(message.contains("2606:4700::/32"))
        }
    }

    @Test(arguments: [
        ("(a)\\1", 25026), ("foo(?=bar)", 25026), ("(?<!x)y", 25026), ("(?>a+)b", 25026), ("a++", 25026),
        ("\\k<n>", 25026), ("(abc", 25025), ("abc)", 25025), ("*a", 25025), ("[z-a]", 25025), ("a{2,1}", 25025),
    ])
    func regexRefused(pattern: String, code: Int) async throws {
        try await TestServer().test { api in
            let reply = try await api.send(.post, policiesPath(accountA), json: policyBody(pattern, "EMAIL", regex: true))
            #expect(reply.status == 400)
            #expect(reply.errorCodes == [code], "\(pattern): \(reply.text)")
            #expect(reply.pointers == ["/pattern"])
        }
    }

    @Test(arguments: StoreKind.available)
    func regexAccepted(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            for (index, pattern) in [".*@(mail\\.)?example\\.com", "(?i)^[a-z0-9._%+-]+@corp\\.example$", "[^@]+@x{1,3}\\.org"].enumerated() {
                let reply = try await api.send(.post, policiesPath(accountA), json: policyBody(pattern, "EMAIL", regex: true))
                #expect(reply.status == 201, "\(index): \(reply.text)")
                #expect(reply.result["pattern"] as? String == pattern)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func lengthsEnumsAndUnknownType(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let long = try await api.send(
                .post, policiesPath(accountA), json: policyBody("a@b.com", "EMAIL", ["comments": String(repeating: "c", count: 1025)]))
            #expect(long.errorCodes == [25013] && long.pointers == ["/comments"])
            let longest = try await api.send(
                .post, policiesPath(accountA), json: policyBody("a@b.com", "EMAIL", ["comments": String(repeating: "é", count: 1024)]))
            #expect(longest.status == 201)
            let emptyPattern = try await api.send(.post, policiesPath(accountA), json: policyBody("", "EMAIL"))
            #expect(emptyPattern.errorCodes == [25013] && emptyPattern.pointers == ["/pattern"])
            let longPattern = try await api.send(
                .post, policiesPath(accountA), json: policyBody(String(repeating: "a", count: 1025), "EMAIL", regex: true))
            #expect(longPattern.errorCodes == [25013])
            let unknown = try await api.send(.post, policiesPath(accountA), json: policyBody("a@b.com", "UNKNOWN"))
            #expect(unknown.errorCodes == [25013] && unknown.pointers == ["/pattern_type"])
            let lower = try await api.send(.post, policiesPath(accountA), json: policyBody("a@b.com", "email"))
            #expect(lower.errorCodes == [25013])
        }
    }

    @Test(arguments: StoreKind.available)
    func editRules(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let id = try await api.send(.post, policiesPath(accountA), json: policyBody("example.com", "DOMAIN")).id
            let empty = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: [String: Any]())
            #expect(empty.status == 400 && empty.errorCodes == [25015])
            // Changing only the type re-validates the stored pattern against it.
            let retype = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["pattern_type": "IP"])
            #expect(retype.status == 400 && retype.errorCodes == [25022] && retype.pointers == ["/pattern_type"])
            let both = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["pattern_type": "IP", "pattern": "8.8.8.0/24"])
            #expect(both.status == 200 && both.result["pattern"] as? String == "8.8.8.0/24")
            let unknownField = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["id": id])
            #expect(unknownField.errorCodes == [25012])
            let unknownType = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["pattern_type": "UNKNOWN"])
            #expect(unknownType.errorCodes == [25013])
        }
    }

    @Test(arguments: StoreKind.available)
    func conflictRuleUsesCanonicalForms(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            #expect(try await api.send(.post, policiesPath(accountA), json: policyBody("bücher.example", "DOMAIN")).status == 201)
            let ascii = try await api.send(.post, policiesPath(accountA), json: policyBody("xn--bcher-kva.example", "DOMAIN"))
            #expect(ascii.status == 409 && ascii.errorCodes == [25041])
            #expect(ascii.headers[.init("x-should-retry")!] == "false")
            #expect(try await api.send(.post, policiesPath(accountA), json: policyBody("8.8.8.8", "IP")).status == 201)
            #expect(try await api.send(.post, policiesPath(accountA), json: policyBody("8.8.8.8/32", "IP")).status == 409)
            #expect(try await api.send(.post, policiesPath(accountA), json: policyBody("::ffff:8.8.8.8", "IP")).status == 409)
            // Same text as a regex, or in another account, is another policy.
            #expect(try await api.send(.post, policiesPath(accountA), json: policyBody("8\\.8\\.8\\.8", "IP", regex: true)).status == 201)
            #expect(try await api.send(.post, policiesPath(accountB), json: policyBody("8.8.8.8", "IP")).status == 201)
            // An edit into an existing pattern conflicts too.
            let other = try await api.send(.post, policiesPath(accountA), json: policyBody("9.9.9.9", "IP")).id
            let clash = try await api.send(.patch, policiesPath(accountA, "/\(other)"), json: ["pattern": "8.8.8.8"])
            #expect(clash.status == 409 && clash.pointers == ["/pattern"])
        }
    }

    @Test(arguments: StoreKind.available)
    func batchValidationPointsIntoItems(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let reply = try await api.send(
                .post, policiesPath(accountA, "/batch"),
                json: [
                    "deletes": [["id": "not-a-uuid"]],
                    "patches": [["comments": "x"]],
                    "puts": [],
                    "posts": [policyBody("ok@example.com"), policyBody("bad", "DOMAIN")],
                    "extra": true,
                ])
            #expect(reply.status == 400)
            #expect(Set(reply.pointers) == ["/extra", "/deletes/0/id", "/patches/0/id", "/posts/1/pattern"])
            let missing = try await api.send(.post, policiesPath(accountA, "/batch"), json: ["posts": []])
            #expect(Set(missing.pointers) == ["/deletes", "/patches", "/puts"])
            let tooMany = try await api.send(
                .post, policiesPath(accountA, "/batch"),
                json: [
                    "deletes": Array(repeating: ["id": UUID().uuidString], count: 1001), "patches": [], "puts": [], "posts": [],
                ])
            #expect(tooMany.errorCodes == [25016] && tooMany.pointers == ["/deletes"])
            #expect(try await api.send(.get, policiesPath(accountA)).results.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func listParametersAreChecked(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            for query in [
                "page=0", "page=x", "per_page=0", "per_page=1001", "order=id", "direction=up",
                "is_trusted_sender=yes", "pattern_type=email", "page=1&page=2",
            ] {
                let reply = try await api.send(.get, policiesPath(accountA, "?" + query))
                #expect(reply.status == 400, "\(query)")
                #expect(reply.errorCodes == [25030], "\(query)")
                let name = String(query.prefix { $0 != "=" })
                #expect(reply.pointers == ["/query/\(name)"], "\(query)")
            }
            let two = try await api.send(.get, policiesPath(accountA, "?page=0&per_page=5000"))
            #expect(two.errors.count == 2)
            #expect(try await api.send(.get, policiesPath(accountA, "?cache_buster=1")).status == 200)
        }
    }

    @Test(arguments: StoreKind.available)
    func routingErrors(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let badAccount = try await api.send(.get, "/client/v4/accounts/not-an-account/email-security/settings/allow_policies")
            #expect(badAccount.status == 400 && badAccount.errorCodes == [7003, 7000])
            let upper = try await api.send(
                .get, policiesPath(accountA).uppercased().replacingOccurrences(of: "/CLIENT/V4/ACCOUNTS", with: "/client/v4/accounts"))
            #expect(upper.status == 400)
            let badID = try await api.send(.get, policiesPath(accountA, "/12345"))
            #expect(badID.status == 400 && badID.errorCodes == [7003, 7000])
            let unknown = try await api.send(.get, "/client/v4/zones")
            #expect(unknown.status == 400 && unknown.errorCodes == [7003, 7000])
            let wrongMethod = try await api.send(.delete, policiesPath(accountA))
            #expect(wrongMethod.status == 405 && wrongMethod.headers[.allow] == "GET, POST" && wrongMethod.errorCodes == [25050])
            let wrongOnItem = try await api.send(.post, policiesPath(accountA, "/\(UUID().uuidString.lowercased())"), json: [String: Any]())
            #expect(wrongOnItem.status == 405 && wrongOnItem.headers[.allow] == "GET, PATCH, PUT, DELETE")
            let getBatch = try await api.send(.get, policiesPath(accountA, "/batch"))
            #expect(getBatch.status == 405 && getBatch.headers[.allow] == "POST")
            #expect(getBatch.json["success"] as? Bool == false)
        }
    }
}
