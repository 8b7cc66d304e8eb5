/** The insert shape of a row type: the columns with a database default (or NULL) may be omitted. */
export type Insert<Row, Defaulted extends keyof Row> = Omit<Row, Defaulted> & Partial<Pick<Row, Defaulted>>;
