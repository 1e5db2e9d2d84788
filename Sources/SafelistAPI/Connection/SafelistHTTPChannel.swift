import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 child channel with Safelist's connection watch added: the same
/// pipeline as `HTTP1Channel` (decoder limits, the HTTP types codec, Hummingbird's connection
/// state handler for keep-alive and graceful shutdown), plus `RawBytesWatcher` before the
/// decoder and `RequestPartWatcher` after the codec (`ConnectionWatch`).
struct SafelistHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let registry: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let watch = ConnectionWatch(limits: limits, registry: registry, logger: logger)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(RawBytesWatcher(watch: watch, registry: registry))
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = 80 * 1024
            decoderLimits.maxHeaderListSize = 80 * 1024
            decoderLimits.maxHeaderFieldCount = 1000
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: decoderLimits)
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(RequestPartWatcher(watch: watch))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with Safelist's connection limits.
    public static func safelist(limits: ConnectionLimits) -> HTTPServerBuilder {
        let registry = ConnectionRegistry(limit: limits.maxConnections)
        return HTTPServerBuilder { responder in
            SafelistHTTPChannel(responder: responder, limits: limits, registry: registry)
        }
    }
}
