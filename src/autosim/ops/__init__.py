"""Operations models: demand, intake, dispatch, and the business that wires them together."""
