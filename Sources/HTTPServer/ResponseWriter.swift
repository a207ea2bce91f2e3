import CSystem
import Glibc

/// Runs a handler on a worker thread and writes its response straight to the socket.
///
/// Writing from the worker saves a thread hop per request, because the loop only hears about
/// the response once it is fully written, and usually not even then (see `WorkerHandoff`).
/// When the socket's send buffer fills up, the loop finishes the write once the socket
/// becomes writable.
enum ResponseWriter {
    static func respond(to item: WorkItem, state: inout WorkerState) {
        let core = item.core
        let request = item.request
        var record = AccessRecord(
            requestID: request.requestID, method: request.method.rawValue, path: request.rawPath,
            remoteAddress: request.remoteAddress, startNanoseconds: item.startNanoseconds,
            status: 0, bodyBytes: 0)

        var response = runHandler(request, core: core)
        if let problem = ResponseEncoder.invalidFieldDescription(in: response.headers) {
            core.logger.error("handler_error", [
                "request_id": request.requestID, "method": request.method.rawValue, "path": request.rawPath,
                "error": problem,
            ])
            response = internalServerError(requestID: request.requestID)
        }

        let keepAlive = item.keepAlive && !core.isDraining.load(ordering: .relaxed)
            && !ResponseEncoder.requestsClose(response.headers)
        let date = state.dateCache.current()
        let isHead = request.method == .head
        let forbidsBody = ResponseEncoder.statusForbidsBody(response.status)

        switch response.body {
        case .bytes(let bytes):
            sendBytes(bytes, response: response, item: item, record: &record, keepAlive: keepAlive, date: date)

        case .file(let path, let offset, let length):
            if forbidsBody || isHead {
                sendBytes([], response: response, item: item, record: &record, keepAlive: keepAlive, date: date,
                          declaredLength: length)
            } else {
                sendFile(path: path, offset: offset, length: length, response: response, item: item,
                         record: &record, keepAlive: keepAlive, date: date)
            }

        case .stream(let produce):
            if forbidsBody || isHead {
                sendBytes([], response: response, item: item, record: &record, keepAlive: keepAlive, date: date,
                          streamedHead: true)
            } else {
                sendStream(produce, response: response, item: item, record: &record, keepAlive: keepAlive, date: date)
            }
        }
    }

    /// Disposes of a job whose handler will never run (forced shutdown).
    static func abandon(_ item: WorkItem) {
        closeSocket(of: item)
    }

    // MARK: - Handler

    private static func runHandler(_ request: Request, core: ServerCore) -> Response {
        do {
            return try core.handler(request)
        } catch let error as HTTPError {
            return errorResponse(for: error)
        } catch {
            core.logger.error("handler_error", [
                "request_id": request.requestID, "method": request.method.rawValue, "path": request.rawPath,
                "error": String(describing: error),
            ])
            return internalServerError(requestID: request.requestID)
        }
    }

    static func errorResponse(for error: HTTPError) -> Response {
        var response = Response.text(error.message, status: error.status)
        for field in error.headers {
            response.headers.add(field.name, field.value)
        }
        return response
    }

    /// Returns a 500 whose body names only the request id, so nothing internal leaks to the client.
    static func internalServerError(requestID: String) -> Response {
        Response.text("Internal Server Error (request id \(requestID))", status: .internalServerError)
    }

    // MARK: - Bodies

    /// - Parameters:
    ///   - declaredLength: the Content-Length a HEAD response to a file advertises.
    ///   - streamedHead: the HEAD response to a streamed body, which advertises chunked coding.
    private static func sendBytes(
        _ bytes: [UInt8], response: Response, item: WorkItem, record: inout AccessRecord,
        keepAlive: Bool, date: [UInt8], declaredLength: Int? = nil, streamedHead: Bool = false
    ) {
        let request = item.request
        let isHead = request.method == .head
        let forbidsBody = ResponseEncoder.statusForbidsBody(response.status)

        let framing: ResponseFraming
        if forbidsBody {
            framing = .noBody
        } else if streamedHead {
            framing = request.version == .http1_1 ? .chunked : .closeDelimited
        } else {
            framing = .contentLength(declaredLength ?? bytes.count)
        }
        let head = ResponseEncoder.encodeHead(
            status: response.status, headers: response.headers, framing: framing,
            version: request.version, keepAlive: keepAlive, date: date)
        let body = (isHead || forbidsBody) ? [] : bytes

        record.status = response.status.code
        record.bodyBytes = body.count
        let message = OutboundMessage(buffers: [head, body], closeAfter: !keepAlive, record: record)
        send(message, item: item)
    }

    private static func sendFile(
        path: String, offset: Int, length: Int, response: Response, item: WorkItem,
        record: inout AccessRecord, keepAlive: Bool, date: [UInt8]
    ) {
        let core = item.core
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        var problem: String?
        var status = HTTPStatus.internalServerError
        if descriptor < 0 {
            let code = errno
            problem = "open failed: \(describeErrno(code))"
            if code == ENOENT || code == ENOTDIR { status = .notFound }
        } else {
            var information = stat()
            if fstat(descriptor, &information) != 0 {
                problem = "fstat failed: \(describeErrno(errno))"
            } else if (information.st_mode & S_IFMT) != S_IFREG {
                problem = "not a regular file"
            } else if offset < 0 || length < 0 || offset + length > Int(information.st_size) {
                problem = "the range \(offset)+\(length) is outside the file's \(information.st_size) bytes"
            }
        }

        if let problem {
            if descriptor >= 0 { close(descriptor) }
            core.logger.error("file_body_failed", [
                "request_id": item.request.requestID, "path": item.request.rawPath, "file": path, "error": problem,
            ])
            let replacement = status == .notFound
                ? Response.text("Not Found", status: .notFound)
                : internalServerError(requestID: item.request.requestID)
            sendBytes(replacementBody(replacement), response: replacement, item: item, record: &record,
                      keepAlive: keepAlive, date: date)
            return
        }

        let head = ResponseEncoder.encodeHead(
            status: response.status, headers: response.headers, framing: .contentLength(length),
            version: item.request.version, keepAlive: keepAlive, date: date)
        record.status = response.status.code
        record.bodyBytes = length
        let message = OutboundMessage(
            buffers: [head], file: FileRegion(descriptor: descriptor, offset: offset, remaining: length),
            closeAfter: !keepAlive, record: record)
        send(message, item: item)
    }

    private static func sendStream(
        _ produce: @Sendable (any BodyWriter) throws -> Void, response: Response, item: WorkItem,
        record: inout AccessRecord, keepAlive requestedKeepAlive: Bool, date: [UInt8]
    ) {
        let core = item.core
        let request = item.request
        // RFC 9112, section 6.3: without chunked coding (HTTP/1.0) only closing the
        // connection can mark the end of the body.
        let chunked = request.version == .http1_1
        let keepAlive = requestedKeepAlive && chunked
        let head = ResponseEncoder.encodeHead(
            status: response.status, headers: response.headers, framing: chunked ? .chunked : .closeDelimited,
            version: request.version, keepAlive: keepAlive, date: date)
        let writer = StreamBodyWriter(
            socket: item.socket, head: head, chunked: chunked, writeTimeout: core.configuration.writeTimeout)
        record.status = response.status.code

        do {
            try produce(writer)
            try writer.finish()
        } catch {
            record.bodyBytes = writer.bodyBytes
            if !writer.sentAnything, !(error is BodyWriteError) {
                // Nothing reached the client yet, so a proper error response can still replace it.
                let replacement: Response
                if let httpError = error as? HTTPError {
                    replacement = errorResponse(for: httpError)
                } else {
                    core.logger.error("handler_error", [
                        "request_id": request.requestID, "method": request.method.rawValue,
                        "path": request.rawPath, "error": String(describing: error),
                    ])
                    replacement = internalServerError(requestID: request.requestID)
                }
                sendBytes(replacementBody(replacement), response: replacement, item: item, record: &record,
                          keepAlive: requestedKeepAlive, date: date)
                return
            }
            // Part of the body is out. Closing without the last chunk signals to the client
            // that the response is incomplete (RFC 9112, section 8).
            post(.responseFailed(item.token), item: item)
            core.logAccess(record, error: String(describing: error))
            return
        }

        record.bodyBytes = writer.bodyBytes
        post(.responseFinished(item.token, keepAlive: keepAlive), item: item)
        core.logAccess(record)
    }

    private static func replacementBody(_ response: Response) -> [UInt8] {
        if case .bytes(let bytes) = response.body { return bytes }
        return []
    }

    // MARK: - Hand-off

    /// Writes what the socket takes now and hands the rest, or the outcome, to the loop.
    private static func send(_ message: OutboundMessage, item: WorkItem) {
        let core = item.core
        var message = message
        switch message.write(to: item.socket) {
        case .done:
            message.releaseFile()
            // The loop gets the socket back first, so the log write does not delay the next
            // request. Closing after the response always goes through a post.
            let returned = !message.closeAfter
                && item.handoff.returnWithoutNotice(atNanoseconds: MonotonicClock.nanoseconds())
            if !returned {
                post(.responseFinished(item.token, keepAlive: !message.closeAfter), item: item)
            }
            if let record = message.record { core.logAccess(record) }
        case .wouldBlock:
            if !item.loop.post(.responsePending(item.token, message)) {
                message.releaseFile()
                closeSocket(of: item)
            }
        case .failed(let reason):
            message.releaseFile()
            post(.responseFailed(item.token), item: item)
            if let record = message.record { core.logAccess(record, error: reason) }
        }
    }

    private static func post(_ message: LoopMessage, item: WorkItem) {
        if !item.loop.post(message) {
            closeSocket(of: item)
        }
    }

    /// Closes the socket of a job whose loop has exited; see the ownership rule on `WorkItem`.
    private static func closeSocket(of item: WorkItem) {
        close(item.socket)
        item.core.connectionCount.subtract(1, ordering: .relaxed)
    }
}
