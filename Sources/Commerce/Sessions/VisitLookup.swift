/// The result of looking up a session or cart by its cookie's token without writing, so
/// that a request can take a read transaction when nothing needs recording.
public enum VisitLookup<Value> {
    /// The live value; reading it records nothing, because its last recorded visit is recent.
    case found(Value)
    /// The token names nothing in this store.
    case notFound
    /// The value expired and must be deleted, or its last recorded visit is old enough to
    /// record this one: call the store's `find(token:)` in a write transaction.
    case needsWrite
}
