internal import CVTerm

/// A rectangle of cells, end row and end column excluded: libvterm's `VTermRect` in Swift
/// integers, so ``SoftWrapTracker`` does not depend on the C types.
struct CellRect: Equatable {
    var startRow: Int
    var endRow: Int
    var startColumn: Int
    var endColumn: Int
}

extension CellRect {
    init(_ rect: VTermRect) {
        self.init(startRow: Int(rect.start_row), endRow: Int(rect.end_row),
                  startColumn: Int(rect.start_col), endColumn: Int(rect.end_col))
    }
}
