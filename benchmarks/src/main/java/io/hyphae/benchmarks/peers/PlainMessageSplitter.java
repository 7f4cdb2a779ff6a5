package io.hyphae.benchmarks.peers;

import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.UpHandler;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.util.MessageBatch;

/**
 * The channel's up handler on a node that serves RPCs and receives plain multicasts: in
 * JGroups 5 a MessageDispatcher's handler passes every message to its RequestCorrelator, which
 * drops those without its header (a plain {@code channel.send}), and never hands them to the
 * dispatcher's Receiver. This one gives the plain messages to {@code plain} and the rest
 * (requests, responses, views, suspicions) to the dispatcher as before.
 */
final class PlainMessageSplitter implements UpHandler {

    private final UpHandler dispatcher;
    private final short correlatorHeader;
    private final Consumer<Message> plain;

    private PlainMessageSplitter(UpHandler dispatcher, short correlatorHeader, Consumer<Message> plain) {
        this.dispatcher = dispatcher;
        this.correlatorHeader = correlatorHeader;
        this.plain = plain;
    }

    /** Puts a splitter between the channel of {@code dispatcher} and the dispatcher. */
    static void install(MessageDispatcher dispatcher, Consumer<Message> plain) {
        short id = ClassConfigurator.getProtocolId(dispatcher.getCorrelator().getClass());
        dispatcher.getChannel().setUpHandler(new PlainMessageSplitter(dispatcher.getProtocolAdapter(), id, plain));
    }

    private boolean isPlain(Message msg) {
        return msg.getHeader(correlatorHeader) == null;
    }

    @Override
    public UpHandler setLocalAddress(Address a) {
        dispatcher.setLocalAddress(a);
        return this;
    }

    @Override
    public Object up(Event evt) {
        return dispatcher.up(evt);
    }

    @Override
    public Object up(Message msg) {
        if (isPlain(msg)) {
            plain.accept(msg);
            return null;
        }
        return dispatcher.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Message msg : batch) {
            if (isPlain(msg)) {
                plain.accept(msg);
            }
        }
        batch.removeIf(this::isPlain, true);
        if (!batch.isEmpty()) {
            dispatcher.up(batch);
        }
    }
}
