/// One stored event's fields as bytes, as a log reads or writes them: the docs/log-format.md
/// columns (`hash` aside) with the numeric times. The bytes are valid only during the call
/// that receives them.
public struct EventFields {
  public var position: Int64
  public var type: UnsafeRawBufferPointer
  public var commandID: UnsafeRawBufferPointer
  public var isbn: UnsafeRawBufferPointer
  public var title: UnsafeRawBufferPointer
  public var author: UnsafeRawBufferPointer
  public var quantity: Int64?
  public var userID: UnsafeRawBufferPointer
  public var occurredAt: UnsafeRawBufferPointer
  public var recordedAt: UnsafeRawBufferPointer
  public var batch: UnsafeRawBufferPointer

  public init(
    position: Int64, type: UnsafeRawBufferPointer, commandID: UnsafeRawBufferPointer,
    isbn: UnsafeRawBufferPointer, title: UnsafeRawBufferPointer,
    author: UnsafeRawBufferPointer, quantity: Int64?, userID: UnsafeRawBufferPointer,
    occurredAt: UnsafeRawBufferPointer, recordedAt: UnsafeRawBufferPointer,
    batch: UnsafeRawBufferPointer
  ) {
    self.position = position
    self.type = type
    self.commandID = commandID
    self.isbn = isbn
    self.title = title
    self.author = author
    self.quantity = quantity
    self.userID = userID
    self.occurredAt = occurredAt
    self.recordedAt = recordedAt
    self.batch = batch
  }
}

/// The canonical bytes of an event (docs/log-format.md): the netstrings `<length>:<bytes>,` of
/// position, type, command_id, isbn, title, author, quantity, user_id, occurred_at, recorded_at
/// and batch, in that order; numbers in decimal, absent fields empty. The one writer of this
/// form: the import hashes what it writes, and verify what it reads, through it.
public enum CanonicalEvent {
  /// Appends the canonical bytes of `fields` to `buffer`.
  static func write(_ fields: EventFields, to buffer: ByteBuffer) {
    netstring(number: fields.position, to: buffer)
    netstring(fields.type, to: buffer)
    netstring(fields.commandID, to: buffer)
    netstring(fields.isbn, to: buffer)
    netstring(fields.title, to: buffer)
    netstring(fields.author, to: buffer)
    netstring(number: fields.quantity, to: buffer)
    netstring(fields.userID, to: buffer)
    netstring(fields.occurredAt, to: buffer)
    netstring(fields.recordedAt, to: buffer)
    netstring(fields.batch, to: buffer)
  }

  /// The canonical bytes of `fields`.
  public static func bytes(_ fields: EventFields) -> [UInt8] {
    let buffer = ByteBuffer(capacity: 512)
    write(fields, to: buffer)
    return Array(buffer.bytes(0..<buffer.count))
  }

  @inline(__always)
  private static func netstring(_ payload: UnsafeRawBufferPointer, to buffer: ByteBuffer) {
    buffer.append(decimal: Int64(payload.count))
    buffer.append(byte: UInt8(ascii: ":"))
    buffer.append(payload)
    buffer.append(byte: UInt8(ascii: ","))
  }

  @inline(__always)
  private static func netstring(number: Int64?, to buffer: ByteBuffer) {
    guard let number else {
      buffer.append(byte: UInt8(ascii: "0"))
      buffer.append(byte: UInt8(ascii: ":"))
      buffer.append(byte: UInt8(ascii: ","))
      return
    }
    buffer.append(decimal: Int64(ByteBuffer.decimalLength(number)))
    buffer.append(byte: UInt8(ascii: ":"))
    buffer.append(decimal: number)
    buffer.append(byte: UInt8(ascii: ","))
  }
}
