// Every unit test gets a real IndexedDB implementation in Node.
import 'fake-indexeddb/auto';
